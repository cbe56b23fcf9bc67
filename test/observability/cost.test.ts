import { describe, expect, it } from 'vitest';
import { ImageData, type ImageProvider, type UsageEvent } from '../../src/index.js';
import { costOf } from '../../src/observability/cost/model-prices.js';
import type { GatewayOptions } from '../../src/options.js';
import type { GenerationUsage } from '../../src/provider.js';
import { imageModelCapabilities } from '../../src/providers/shared/model-catalog.js';
import { parseExposition, sampleValue } from '../helpers/prometheus-text.js';
import { gatewayKey, serveGateway, solidPng } from '../surfaces/served-gateway.js';

/** A provider drawing `n` small PNGs at once, reporting `usage` as an upstream would. */
function drawingProvider(id: string, model: string, usage: GenerationUsage | undefined, png: Buffer): ImageProvider {
  return {
    id,
    type: 'custom',
    concurrency: 4,
    timeoutMs: 10_000,
    models: [{ id: model, capabilities: { ...imageModelCapabilities, maxImagesPerRequest: 4 } }],
    async *generate(request) {
      for (let index = 0; index < request.n; index++) yield { type: 'image', image: ImageData.fromBytes(png, 'image/png') };
      if (usage) yield { type: 'usage', usage };
      yield { type: 'finish', reason: 'stop' };
    },
  };
}

const prices: GatewayOptions['prices'] = {
  'priced-image': {
    perImage: {
      '1024x1024': { low: 0.011, medium: 0.042, high: 0.167 },
      '1536x1024': { low: 0.016, high: 0.25 },
      default: 0.05,
    },
  },
  'token-image': { perMillionTokens: { input: 5, imageInput: 10, output: 10, imageOutput: 40 } },
};

/** 100 prompt tokens of which 40 are an input image's; 1310 output tokens of which 1290 are the image's. */
const tokenUsage: GenerationUsage = { promptTokens: 100, completionTokens: 1310, promptImageTokens: 40, imageTokens: 1290 };

async function pricedGateway() {
  const png = await solidPng(8, 8);
  const events: UsageEvent[] = [];
  const served = await serveGateway({
    providers: [drawingProvider('flat', 'priced-image', undefined, png), drawingProvider('metered', 'token-image', tokenUsage, png)],
    prices,
    metrics: { projects: ['acme'] },
    onUsage: (event) => events.push(event),
  });
  return { ...served, events };
}

describe('cost by the prices option', () => {
  it('prices each image by the size and quality asked, falling back to the size’s "default"', async () => {
    const { client, events, baseURL } = await pricedGateway();
    const acme = { headers: { 'x-gateway-project-id': 'acme' } };
    const generate = (size: string, quality: string, n = 1) =>
      client.images.generate({ model: 'priced-image', prompt: 'a lighthouse', size, quality, n } as never, acme);
    await generate('1024x1024', 'high');
    await generate('1024x1024', 'low', 2);
    await generate('1536x1024', 'high');
    await generate('1024x1536', 'high');
    expect(events.map((event) => [event.size, event.quality, event.images, event.cost])).toEqual([
      ['1024x1024', 'high', 1, 0.167],
      ['1024x1024', 'low', 2, 0.022],
      ['1536x1024', 'high', 1, 0.25],
      ['1024x1536', 'high', 1, 0.05],
    ]);

    const metrics = parseExposition(
      await (await fetch(`${baseURL.replace(/\/v1$/, '')}/metrics`, { headers: { authorization: `Bearer ${gatewayKey}` } })).text(),
    );
    expect(
      sampleValue(metrics, 'image_gateway_cost_total', { provider_model: 'priced-image', provider: 'flat', project: 'acme' }),
    ).toBeCloseTo(0.489, 9);
  });

  it('prices image tokens at their own rates, never at the text rates, and sums cost per project and key in stats()', async () => {
    const { client, events, server } = await pricedGateway();
    await client.images.generate({ model: 'token-image', prompt: 'a lighthouse' }, { headers: { 'x-gateway-project-id': 'acme' } });
    await client.images.generate({ model: 'priced-image', prompt: 'a lighthouse', size: '1024x1024', quality: 'medium' } as never, {
      headers: { 'x-gateway-project-id': 'acme' },
    });
    // 60 text tokens at 5, 40 image tokens at 10, 20 text tokens out at 10, 1290 image tokens out at 40, per million.
    expect(events[0]?.cost).toBe(0.0525);
    expect(events[0]).toMatchObject({ promptTokens: 100, promptImageTokens: 40, completionTokens: 1310, imageTokens: 1290 });
    const stats = server.gateway.stats();
    expect(stats.projects.acme?.cost).toBe(0.0945);
    const [keyCounters] = Object.values(stats.keys);
    expect(keyCounters?.cost).toBe(0.0945);
  });

  it('leaves cost out for a model without a price, and never bills twice: a per-image price covers the image tokens', () => {
    const base: UsageEvent = {
      requestId: 'req_1',
      model: 'm',
      providerModel: 'm',
      provider: 'p',
      stream: false,
      status: 200,
      images: 1,
      size: '1K',
      promptTokens: 10,
      completionTokens: 1300,
      totalTokens: 1310,
      imageTokens: 1290,
      attempts: 1,
      queueMs: 0,
      generationMs: 1,
      totalMs: 1,
    };
    expect(costOf({}, base)).toBeUndefined();
    const both = { m: { perImage: { '1K': 0.039 }, perMillionTokens: { input: 0.3, output: 2.5, imageOutput: 30 } } };
    // 0.039 for the image, 10 input at 0.3, 10 text output at 2.5; the 1290 image tokens are in the 0.039.
    expect(costOf(both, base)).toBe(0.039028);
    // Without an image output price, image tokens cost nothing rather than the text rate.
    expect(costOf({ m: { perMillionTokens: { input: 1, output: 1 } } }, base)).toBe(0.00002);
    // An instance's own price wins over the model's.
    expect(costOf({ m: { perImage: { default: 1 } }, 'p/m': { perImage: { default: 2 } } }, base)).toBe(2);
  });

  it('refuses a malformed price table with a message naming the field', async () => {
    await expect(serveGateway({ prices: { 'priced-image': { perImage: { '1024x1024': -1 } } } as never })).rejects.toThrow(
      /options\.prices\.priced-image\.perImage\.1024x1024/,
    );
  });
});
