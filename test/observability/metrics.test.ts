import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../src/gateway.js';
import { ImageData, type ImageProvider } from '../../src/index.js';
import { imageModelCapabilities } from '../../src/providers/shared/model-catalog.js';
import { type OpenAIChatFake, startOpenAIChatFake } from '../fakes/openai-chat-fake.js';
import { type Exposition, parseExposition, samplesOf, sampleValue } from '../helpers/prometheus-text.js';
import { gatewayKey, serveGateway, solidPng } from '../surfaces/served-gateway.js';

const fakes: OpenAIChatFake[] = [];
const gateways: ImageGateway[] = [];

afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

const authorization = { authorization: `Bearer ${gatewayKey}` };

async function scrape(origin: string, headers: Record<string, string> = authorization): Promise<Exposition> {
  const response = await fetch(`${origin}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await response.text());
}

/** Two relays: relay-a always answers 500 and serves only the shared model; relay-b draws, one at a time, and alone serves solo-image. */
async function gatewayOverTwoRelays() {
  const failing = await startOpenAIChatFake({ scenario: 'server-error' });
  const drawing = await startOpenAIChatFake({ scenario: 'image', delayMs: 60_000 });
  fakes.push(failing, drawing);
  const { baseURL, client } = await serveGateway({
    providers: [
      { type: 'openai-chat', name: 'relay-a', baseURL: failing.url, apiKey: 'sk-relay-a-0000000000', models: ['shared-image'] },
      {
        type: 'openai-chat',
        name: 'relay-b',
        baseURL: drawing.url,
        apiKey: 'sk-relay-b-0000000000',
        models: ['shared-image', 'solo-image'],
        concurrency: 1,
      },
    ],
    queue: { maxWaiting: 0 },
    metrics: { projects: ['web'] },
    heartbeatIntervalMs: 60_000,
  });
  return { origin: baseURL.replace(/\/v1$/, ''), client, drawing };
}

describe('GET /metrics after a scripted mix of requests', () => {
  it('shows requests, attempts, fallbacks, queue refusals, streams, tokens and instance gauges with their labels, in text that parses', async () => {
    const { origin, client, drawing } = await gatewayOverTwoRelays();
    const draw = [{ role: 'user' as const, content: 'draw a red cat' }];

    // A success, billed to a listed project.
    await client.chat.completions.create({ model: 'solo-image', messages: draw }, { headers: { 'x-gateway-project-id': 'web' } });
    // A stream, billed to a project nobody listed.
    const stream = await client.chat.completions.create(
      { model: 'solo-image', messages: draw, stream: true },
      { headers: { 'x-gateway-project-id': 'mobile-7' } },
    );
    for await (const _chunk of stream) {
      // read to the end
    }
    // A fallback: relay-a answers 500, relay-b draws.
    await client.chat.completions.create({ model: 'shared-image', messages: draw });
    // QUEUE_FULL: relay-b is busy with a slow request and no one may wait.
    const leaving = new AbortController();
    const slow = fetch(`${origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'solo-image', messages: [{ role: 'user', content: 'draw [scenario:slow]' }] }),
      signal: leaving.signal,
    }).catch(() => undefined);
    await drawing.waitForRequests(4);
    const refused = await fetch(`${origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'solo-image', messages: draw }),
    });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('QUEUE_FULL');

    const busy = await scrape(origin);
    expect(sampleValue(busy, 'image_gateway_slots_active', { provider: 'relay-b' })).toBe(1);
    expect(sampleValue(busy, 'image_gateway_slots_concurrency', { provider: 'relay-b' })).toBe(1);
    expect(sampleValue(busy, 'image_gateway_queue_waiting', { provider: 'relay-b', kind: 'non_stream' })).toBe(0);
    expect(sampleValue(busy, 'image_gateway_queue_waiting', { provider: 'relay-b', kind: 'stream' })).toBe(0);
    expect(sampleValue(busy, 'image_gateway_circuit_state', { provider: 'relay-b', state: 'closed' })).toBe(1);
    expect(sampleValue(busy, 'image_gateway_circuit_state', { provider: 'relay-b', state: 'open' })).toBe(0);
    leaving.abort();
    await slow;

    const scraped = await scrape(origin);
    const requests = (labels: Record<string, string>) => sampleValue(scraped, 'image_gateway_requests_total', labels);
    const chat = { surface: '/v1/chat/completions' };
    expect(requests({ ...chat, model: 'solo-image', provider: 'relay-b', project: 'web', status: '200', error_code: '' })).toBe(1);
    expect(requests({ ...chat, model: 'solo-image', provider: 'relay-b', project: 'other', status: '200', error_code: '' })).toBe(1);
    expect(requests({ ...chat, model: 'shared-image', provider: 'relay-b', project: 'none', status: '200', error_code: '' })).toBe(1);
    expect(requests({ ...chat, model: 'solo-image', provider: '', project: 'none', status: '429', error_code: 'QUEUE_FULL' })).toBe(1);
    expect(sampleValue(scraped, 'image_gateway_images_total', { provider: 'relay-b' })).toBe(3);
    expect(sampleValue(scraped, 'image_gateway_http_responses_total', { status: '429' })).toBe(1);

    expect(sampleValue(scraped, 'image_gateway_attempts_total', { provider: 'relay-a', outcome: 'server' })).toBe(1);
    expect(sampleValue(scraped, 'image_gateway_attempts_total', { provider: 'relay-b', outcome: 'success' })).toBe(3);
    expect(sampleValue(scraped, 'image_gateway_fallbacks_total', { provider: 'relay-b' })).toBe(1);
    expect(sampleValue(scraped, 'image_gateway_fallbacks_total', { provider: 'relay-a' })).toBeUndefined();
    expect(sampleValue(scraped, 'image_gateway_image_bytes_total', { direction: 'out' })).toBeGreaterThan(0);

    // The GenAI conventions' names: the upstream calls' duration by instance, with the failure's type.
    const attemptDuration = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'openai-chat', gen_ai_request_model: 'shared-image' };
    expect(
      sampleValue(scraped, 'gen_ai_client_operation_duration_seconds_count', {
        ...attemptDuration,
        provider: 'relay-a',
        error_type: 'server',
      }),
    ).toBe(1);
    expect(sampleValue(scraped, 'gen_ai_client_operation_duration_seconds_count', { provider: 'relay-b', error_type: '' })).toBe(3);
    // Time to first chunk: the stream's attempt only.
    expect(sampleValue(scraped, 'gen_ai_client_operation_time_to_first_chunk_seconds_count', { provider: 'relay-b' })).toBe(1);
    // Tokens as the relay counted them (12 in, 1310 out per request).
    const tokens = { gen_ai_operation_name: 'chat', gen_ai_request_model: 'solo-image', gen_ai_response_model: 'solo-image' };
    expect(sampleValue(scraped, 'gen_ai_client_token_usage_sum', { ...tokens, gen_ai_token_type: 'input' })).toBe(24);
    expect(sampleValue(scraped, 'gen_ai_client_token_usage_sum', { ...tokens, gen_ai_token_type: 'output' })).toBe(2620);
    expect(
      sampleValue(scraped, 'gen_ai_server_request_duration_seconds_count', {
        gen_ai_request_model: 'solo-image',
        error_type: 'QUEUE_FULL',
      }),
    ).toBe(1);
    // Queue waits: one observation per attempt, by whether the request streamed.
    expect(sampleValue(scraped, 'image_gateway_queue_wait_seconds_count', { provider: 'relay-b', stream: 'true' })).toBe(1);

    for (const name of ['image_gateway_requests_total', 'gen_ai_client_token_usage', 'image_gateway_circuit_state']) {
      expect(scraped.help.get(name)?.length).toBeGreaterThan(10);
    }
    expect(scraped.types.get('gen_ai_client_operation_duration_seconds')).toBe('histogram');
    expect(scraped.types.get('image_gateway_requests_total')).toBe('counter');
    expect(scraped.types.get('image_gateway_queue_waiting')).toBe('gauge');
  });

  it('takes a gateway key unless exposed as public', async () => {
    const { origin } = await gatewayOverTwoRelays();
    expect((await fetch(`${origin}/metrics`)).status).toBe(401);
    const { baseURL } = await serveGateway({ metrics: { expose: 'public' } });
    const open = await fetch(`${baseURL.replace(/\/v1$/, '')}/metrics`);
    expect(open.status).toBe(200);
    parseExposition(await open.text());
  });

  it('is not served when the metrics option is off', async () => {
    const { baseURL } = await serveGateway({});
    expect((await fetch(`${baseURL.replace(/\/v1$/, '')}/metrics`, { headers: authorization })).status).toBe(404);
  });
});

/** A provider that draws a one-pixel image at once: the cost of a request is the gateway's own. */
const instantProvider: ImageProvider = {
  id: 'instant',
  type: 'custom',
  concurrency: 1000,
  timeoutMs: 10_000,
  models: [{ id: 'instant-image', capabilities: { ...imageModelCapabilities, text: true } }],
  async *generate() {
    yield { type: 'image', image: ImageData.fromBytes(new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), 'image/png') };
    yield { type: 'finish', reason: 'stop' };
  },
};

describe('label cardinality', () => {
  it('stays bounded when 10 000 distinct project ids and model names arrive', { timeout: 120_000 }, async () => {
    const gateway = createImageGateway({ providers: [instantProvider], metrics: { projects: ['listed'] } });
    gateways.push(gateway);
    const post = (projectId: string) =>
      gateway.fetch(
        new Request('http://gateway.test/v1/images/generations', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-gateway-project-id': projectId },
          body: JSON.stringify({ model: 'instant-image', prompt: 'a dot', response_format: 'b64_json' }),
        }),
      );
    for (let batch = 0; batch < 100; batch++) {
      const answers = await Promise.all(Array.from({ length: 100 }, (_, index) => post(`project-${batch * 100 + index}`)));
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        await answer.arrayBuffer();
      }
    }
    await (await post('listed')).arrayBuffer();
    // A model nobody configured is refused, and its name is no label either.
    await gateway.fetch(
      new Request('http://gateway.test/v1/images/generations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'made-up-model-12345', prompt: 'a dot' }),
      }),
    );
    const scraped = parseExposition(await (await gateway.fetch(new Request('http://gateway.test/metrics'))).text());
    const projects = new Set(samplesOf(scraped, 'image_gateway_requests_total').map((sample) => sample.labels.project));
    expect([...projects].sort()).toEqual(['listed', 'other']);
    expect(sampleValue(scraped, 'image_gateway_requests_total', { project: 'other' })).toBe(10_000);
    expect(scraped.samples.some((sample) => Object.values(sample.labels).some((value) => value.includes('made-up')))).toBe(false);
    expect(scraped.samples.length).toBeLessThan(400);
  });

  it('counts the bytes of input images in and of produced images out', async () => {
    const gateway = createImageGateway({ providers: [instantProvider], metrics: true });
    gateways.push(gateway);
    const png = await solidPng(64, 48);
    const answer = await gateway.fetch(
      new Request('http://gateway.test/v1/images/edits', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'instant-image',
          prompt: 'make it grey',
          images: [{ image_url: `data:image/png;base64,${png.toString('base64')}` }],
        }),
      }),
    );
    expect(answer.status).toBe(200);
    await answer.arrayBuffer();
    const scraped = parseExposition(await (await gateway.fetch(new Request('http://gateway.test/metrics'))).text());
    expect(sampleValue(scraped, 'image_gateway_image_bytes_total', { direction: 'in' })).toBeGreaterThan(100);
    expect(sampleValue(scraped, 'image_gateway_image_bytes_total', { direction: 'out' })).toBe(8);
    expect(sampleValue(scraped, 'image_gateway_requests_total', { surface: '/v1/images/edits', status: '200' })).toBe(1);
  });

  it('shows the hosted image files the blob store holds: entries, bytes and evictions', async () => {
    const png = await solidPng(32, 32);
    const drawing: ImageProvider = {
      ...instantProvider,
      async *generate() {
        yield { type: 'image', image: ImageData.fromBytes(png, 'image/png') };
        yield { type: 'finish', reason: 'stop' };
      },
    };
    const gateway = createImageGateway({
      providers: [drawing],
      metrics: true,
      images: { delivery: 'url' },
      blobs: { type: 'memory', maxEntries: 2 },
    });
    gateways.push(gateway);
    for (let index = 0; index < 3; index++) {
      const answer = await gateway.fetch(
        new Request('http://gateway.test/v1/images/generations', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'instant-image', prompt: 'a dot', response_format: 'url' }),
        }),
      );
      expect(((await answer.json()) as { data: Array<{ url?: string }> }).data[0]?.url).toContain('/v1/files/images/');
    }
    const scraped = parseExposition(await (await gateway.fetch(new Request('http://gateway.test/metrics'))).text());
    expect(sampleValue(scraped, 'image_gateway_blob_store_entries', { store: 'memory' })).toBe(2);
    expect(sampleValue(scraped, 'image_gateway_blob_store_bytes', { store: 'memory' })).toBeGreaterThan(0);
    expect(sampleValue(scraped, 'image_gateway_blob_store_evictions_total', { store: 'memory' })).toBe(1);
    expect(scraped.types.get('image_gateway_blob_store_evictions_total')).toBe('counter');
  });

  it('keeps two gateways in one process apart: each has its own registry', async () => {
    const first = createImageGateway({ providers: [instantProvider], metrics: true });
    const second = createImageGateway({ providers: [instantProvider], metrics: true });
    gateways.push(first, second);
    const body = JSON.stringify({ model: 'instant-image', prompt: 'a dot' });
    const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
    await (await first.fetch(new Request('http://gateway.test/v1/images/generations', post))).arrayBuffer();
    const readFirst = parseExposition(await (await first.fetch(new Request('http://gateway.test/metrics'))).text());
    const readSecond = parseExposition(await (await second.fetch(new Request('http://gateway.test/metrics'))).text());
    expect(sampleValue(readFirst, 'image_gateway_requests_total')).toBe(1);
    expect(sampleValue(readSecond, 'image_gateway_requests_total')).toBeUndefined();
  });
});
