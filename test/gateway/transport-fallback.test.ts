import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../../adapters/node.js';
import { createImageGateway, type ImageGateway } from '../../src/gateway.js';
import { ImageData, type ImageProvider } from '../../src/index.js';
import { imageModelCapabilities } from '../../src/providers/shared/model-catalog.js';
import { listen } from '../adapters/adapter-test-helpers.js';
import { type FaultMode, type FaultRelayFake, startFaultRelayFake } from '../fakes/fault-relay-fake.js';
import { makeFakeImage } from '../fakes/openai-fake-http.js';
import { dataChunks, parseSse, postChat } from '../helpers/gateway-client.js';

const gatewayKey = 'sk-faults-gateway-key-0001';
const fakes: FaultRelayFake[] = [];
const gateways: ImageGateway[] = [];

afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

/** Two relay instances serving one model: `faulty` is planned first (the first request of a gateway), `healthy` second. */
async function twoRelays(mode: FaultMode): Promise<{ gateway: ImageGateway; faulty: FaultRelayFake; healthy: FaultRelayFake }> {
  const faulty = await startFaultRelayFake(mode);
  const healthy = await startFaultRelayFake('image');
  fakes.push(faulty, healthy);
  const gateway = createImageGateway({
    providers: [
      { type: 'openai-chat', name: 'relay-a', baseURL: faulty.url, apiKey: 'sk-relay-a-0000000000', models: ['gpt-4o-image'] },
      { type: 'openai-chat', name: 'relay-b', baseURL: healthy.url, apiKey: 'sk-relay-b-0000000000', models: ['gpt-4o-image'] },
    ],
    heartbeatIntervalMs: 60_000,
  });
  gateways.push(gateway);
  return { gateway, faulty, healthy };
}

const drawCat = (stream: boolean) => ({
  model: 'gpt-4o-image',
  stream,
  messages: [{ role: 'user', content: 'draw a red cat' }],
});

describe('a transport failure falls back while nothing but the role chunk reached the client', () => {
  it('the openai SDK streams the fallback instance’s image after relay-a resets right after its role chunk', async () => {
    const { gateway, faulty, healthy } = await twoRelays('reset-after-role');
    const url = await listen(createServer({ gateway, apiKeys: [gatewayKey] } as never));
    const client = new OpenAI({ apiKey: gatewayKey, baseURL: `${url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-image',
      stream: true,
      messages: [{ role: 'user', content: 'draw a red cat' }],
    });
    let content = '';
    for await (const part of stream) content += part.choices[0]?.delta.content ?? '';
    expect(content).toMatch(/!\[generated\]\(data:image\/\w+;base64,/);
    expect(faulty.requests).toHaveLength(1);
    expect(healthy.requests).toHaveLength(1);
    const stats = gateway.stats().providers;
    expect(stats['relay-a']?.health.consecutiveFailures).toBe(1);
    expect(stats['relay-a']?.failed).toBe(1);
    expect(stats['relay-b']?.completed).toBe(1);
  });

  const modes: Array<[FaultMode, boolean]> = [
    ['reset-before-headers', false],
    ['reset-before-headers', true],
    ['reset-after-role', false],
    ['reset-after-role', true],
    ['body-ends-early', false],
    ['body-ends-early', true],
    ['no-done', true],
    ['malformed-json', false],
    ['malformed-json', true],
  ];
  it.each(modes)('%s (stream: %s) is one retryable upstream failure: the client gets relay-b’s image', async (mode, stream) => {
    const { gateway, faulty, healthy } = await twoRelays(mode);
    const response = await postChat(gateway, drawCat(stream));
    expect(response.status).toBe(200);
    const text = await response.text();
    const content = stream
      ? dataChunks(parseSse(text))
          .map((chunk) => chunk.choices?.[0]?.delta?.content ?? '')
          .join('')
      : JSON.parse(text).choices[0].message.content;
    expect(text).not.toContain('"error"');
    expect(content).toMatch(/!\[generated\]\(data:image\/\w+;base64,/);
    expect(faulty.requests).toHaveLength(1);
    expect(healthy.requests).toHaveLength(1);
    expect(gateway.stats().providers['relay-a']?.health.consecutiveFailures).toBe(1);
  });
});

describe('a custom provider whose own fetch broke', () => {
  it('is the upstream’s retryable failure, not INTERNAL_ERROR: the next instance serves', async () => {
    const capabilities = { ...imageModelCapabilities, text: true };
    const broken: ImageProvider = {
      id: 'engine-a',
      type: 'custom',
      concurrency: 2,
      timeoutMs: 10_000,
      models: [{ id: 'engine', capabilities }],
      // What Node's fetch throws when the connection resets mid-body.
      // biome-ignore lint/correctness/useYield: it fails before its first event
      async *generate() {
        throw new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
      },
    };
    const working: ImageProvider = {
      id: 'engine-b',
      type: 'custom',
      concurrency: 2,
      timeoutMs: 10_000,
      models: [{ id: 'engine', capabilities }],
      async *generate() {
        yield { type: 'image', image: ImageData.fromBytes(await makeFakeImage(8, 8), 'image/png') };
        yield { type: 'finish', reason: 'stop' };
      },
    };
    const gateway = createImageGateway({ providers: [broken, working] });
    gateways.push(gateway);
    const response = await postChat(gateway, { model: 'engine', messages: [{ role: 'user', content: 'draw a cat' }] });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-provider')).toBe('engine-b');
    expect(gateway.stats().providers['engine-a']?.health.consecutiveFailures).toBe(1);
  });
});
