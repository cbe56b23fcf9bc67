import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FluxFake, startFluxFake } from '../../fakes/flux-fake.js';
import { type GeminiFake, startGeminiFake } from '../../fakes/gemini-fake.js';
import { type OpenAIChatFake, startOpenAIChatFake } from '../../fakes/openai-chat-fake.js';
import { type OpenAIImagesFake, startOpenAIImagesFake } from '../../fakes/openai-images-fake.js';
import { decodeBase64Image, serveGateway, solidPng } from '../served-gateway.js';

let openai: OpenAIImagesFake;
let gemini: GeminiFake;
let relay: OpenAIChatFake;
let flux: FluxFake;

beforeAll(async () => {
  [openai, gemini, relay, flux] = await Promise.all([
    startOpenAIImagesFake(),
    startGeminiFake({ apiKey: 'gemini-key-0000001' }),
    startOpenAIChatFake(),
    startFluxFake({ apiKey: 'bfl-key-000000001' }),
  ]);
});
afterAll(async () => {
  await Promise.all([openai.close(), gemini.close(), relay.close(), flux.close()]);
});

function gatewayOverFakes() {
  return serveGateway({
    providers: [
      { type: 'openai', apiKey: 'sk-images-key-0001', baseURL: openai.url },
      { type: 'gemini', apiKey: 'gemini-key-0000001', baseURL: gemini.url },
      { type: 'openai-chat', apiKey: 'sk-relay-key-0001', baseURL: relay.url, models: ['gpt-4o-image'] },
      { type: 'flux', apiKey: 'bfl-key-000000001', baseURL: flux.url, pollIntervalMs: 5, maxPollIntervalMs: 20 },
    ],
  });
}

describe('images.generate over each provider (fake upstreams)', () => {
  it('OpenAI Images: the options go upstream natively, the answer has the asked size and format', async () => {
    const { client } = await gatewayOverFakes();
    openai.requests.length = 0;
    const answer = await client.images.generate({
      model: 'gpt-image-1',
      prompt: 'a lighthouse',
      size: '1536x1024',
      quality: 'high',
      output_format: 'jpeg',
      output_compression: 80,
      moderation: 'low',
    });
    expect(await decodeBase64Image(answer.data?.[0]?.b64_json as string)).toMatchObject({ format: 'jpeg', width: 1536, height: 1024 });
    expect(answer.usage).toMatchObject({ input_tokens: 50, output_tokens: 4160, total_tokens: 4210 });
    expect(openai.requests[0]).toMatchObject({
      path: '/v1/images/generations',
      json: { model: 'gpt-image-1', size: '1536x1024', quality: 'high', output_format: 'jpeg', output_compression: 80, moderation: 'low' },
    });
  });

  it.each([
    ['Gemini', 'gemini-3-pro-image-preview', 'gemini'],
    ['an OpenAI-compatible relay', 'gpt-4o-image', 'openai-chat'],
    ['FLUX', 'flux-kontext-pro', 'flux'],
  ])('%s: answers with the asked format, converted by the gateway, and names what it ignored', async (_name, model, type) => {
    const { client } = await gatewayOverFakes();
    const { data, response } = await client.images
      .generate({ model, prompt: 'draw a lighthouse', output_format: 'webp', quality: 'high' })
      .withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe(type);
    expect(response.headers.get('x-gateway-ignored-options')).toBe('quality');
    expect(data.output_format).toBe('webp');
    const image = await decodeBase64Image(data.data?.[0]?.b64_json as string);
    expect(image.format).toBe('webp');
    expect(data.size).toBe(`${image.width}x${image.height}`);
  });
});

describe('images.edit over each provider (fake upstreams)', () => {
  it.each([
    ['Gemini', 'gemini-3-pro-image-preview', 'gemini'],
    ['an OpenAI-compatible relay', 'gpt-4o-image', 'openai-chat'],
    ['FLUX', 'flux-kontext-pro', 'flux'],
  ])('%s: edits two toFile PNGs, names the mask it cannot use, answers the asked format', async (_name, model, type) => {
    const { client } = await gatewayOverFakes();
    const image = [
      await toFile(await solidPng(96, 64), 'a.png', { type: 'image/png' }),
      await toFile(await solidPng(96, 64, { r: 200, g: 30, b: 30 }), 'b.png', { type: 'image/png' }),
    ];
    const mask = await toFile(await solidPng(96, 64), 'mask.png', { type: 'image/png' });
    const { data, response } = await client.images
      .edit({ model, image, mask, prompt: 'put them side by side', output_format: 'jpeg' })
      .withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe(type);
    expect(response.headers.get('x-gateway-ignored-options')).toBe('mask');
    expect(await decodeBase64Image(data.data?.[0]?.b64_json as string)).toMatchObject({ format: 'jpeg' });
  });
});
