import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../src/gateway.js';
import { type LoopbackServer, readBody, startLoopbackServer } from '../fakes/fake-recording-server.js';
import { startFluxFake } from '../fakes/flux-fake.js';
import { startGeminiFake } from '../fakes/gemini-fake.js';
import { startOpenAIImagesFake } from '../fakes/openai-images-fake.js';
import { postChat } from '../helpers/gateway-client.js';

/**
 * Every provider reads a connection that resets after the answer began as
 * one retryable upstream failure: the next instance of the same type serves.
 */
const servers: LoopbackServer[] = [];
let gateway: ImageGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Answers 200 and the first bytes of a body (an SSE event's start, or a JSON object's), then destroys the socket. */
async function startResetter(): Promise<LoopbackServer & { state: { calls: number } }> {
  const state = { calls: 0 };
  const server = await startLoopbackServer(async (incoming, outgoing) => {
    const body = (await readBody(incoming)).toString();
    state.calls += 1;
    const sse = (incoming.url ?? '').includes('alt=sse') || /"stream":\s*true/.test(body);
    outgoing.writeHead(200, { 'content-type': sse ? 'text/event-stream' : 'application/json' });
    outgoing.write(sse ? 'data: {"candidates":' : '{"id":', () => outgoing.socket?.destroy());
  });
  servers.push(server);
  return Object.assign(server, { state });
}

const cases = [
  {
    type: 'gemini',
    model: 'gemini-2.5-flash-image',
    start: () => startGeminiFake({ apiKey: 'gemini-key-0000000000' }),
    config: (baseURL: string) => ({ type: 'gemini' as const, apiKey: 'gemini-key-0000000000', baseURL }),
  },
  {
    type: 'openai',
    model: 'gpt-image-1',
    start: () => startOpenAIImagesFake(),
    config: (baseURL: string) => ({ type: 'openai' as const, apiKey: 'sk-images-key-00000000', baseURL }),
  },
  {
    type: 'flux',
    model: 'flux-kontext-pro',
    start: () => startFluxFake({ apiKey: 'bfl-key-0000000000', pendingPolls: 1 }),
    config: (baseURL: string) => ({
      type: 'flux' as const,
      apiKey: 'bfl-key-0000000000',
      baseURL,
      pollIntervalMs: 5,
      maxPollIntervalMs: 20,
    }),
  },
];

describe.each(cases)('$type: a reset after the answer began', ({ type, model, start, config }) => {
  it.each([false, true])('falls back to the next instance (stream: %s) and counts against the first', async (stream) => {
    const resetter = await startResetter();
    const fake = await start();
    servers.push(fake);
    gateway = createImageGateway({
      providers: [
        { ...config(resetter.url), name: `${type}-a` },
        { ...config(fake.url), name: `${type}-b` },
      ],
      heartbeatIntervalMs: 60_000,
    });
    const response = await postChat(gateway, { model, stream, messages: [{ role: 'user', content: 'draw a red cat' }] });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain('"error"');
    expect(text).toMatch(/data:image\//);
    expect(resetter.state.calls).toBe(1);
    expect(gateway.stats().providers[`${type}-a`]?.health.consecutiveFailures).toBe(1);
  });
});
