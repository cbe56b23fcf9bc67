import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway, type ImageProvider, type UsageEvent } from '../../src/index.js';
import { linkSignals } from '../../src/lib/cancel-signal.js';
import { imageModelCapabilities } from '../../src/providers/shared/model-catalog.js';
import { parseSse, postChat, waitFor } from '../helpers/gateway-client.js';
import { createScriptedProvider } from '../helpers/scripted-provider.js';

let gateway: ImageGateway;
afterEach(async () => {
  await gateway?.close();
});

const draw = (extra: Record<string, unknown> = {}) => ({
  model: 'scripted-image',
  messages: [{ role: 'user', content: 'draw a cat' }],
  ...extra,
});

/** A custom provider that never answers and never looks at its signal. */
function stuckProvider(id: string, timeoutMs: number): ImageProvider & { calls: number } {
  const provider = {
    id,
    type: 'stuck',
    concurrency: 1,
    timeoutMs,
    calls: 0,
    models: [{ id: 'scripted-image', capabilities: { ...imageModelCapabilities, text: true } }],
    async *generate() {
      provider.calls += 1;
      await new Promise(() => {});
    },
  };
  return provider as ImageProvider & { calls: number };
}

describe('hostile input', () => {
  it('counts a project named "__proto__" like any other and keeps serving everyone', async () => {
    gateway = createImageGateway();
    const hostile = await postChat(
      gateway,
      { messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-gateway-project-id': '__proto__' } },
    );
    expect(hostile.status).toBe(200);
    const next = await postChat(gateway, { messages: [{ role: 'user', content: 'hello' }] });
    expect(next.status).toBe(200);
    expect(Object.hasOwn(gateway.stats().projects, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).requests).toBeUndefined();
  });

  it('answers a message of 300 000 "![" characters without stalling (linear-time markdown scan)', { timeout: 10_000 }, async () => {
    const roomy = createScriptedProvider({ id: 'roomy', capabilities: { contextWindow: 1_000_000 }, auto: () => 'succeed' });
    gateway = createImageGateway({ providers: [roomy.provider] });
    const response = await postChat(gateway, draw({ messages: [{ role: 'user', content: '!['.repeat(150_000) }] }));
    expect(response.status).toBe(200);
  });

  it('refuses timer options Node would clamp to 1 ms', () => {
    expect(() => createImageGateway({ queue: { maxWaitMs: 2 ** 31 } })).toThrow(/options\.queue\.maxWaitMs/);
    expect(() => createImageGateway({ providers: [{ type: 'local', timeoutMs: 2 ** 31 }] })).toThrow(/timeoutMs/);
  });

  it('serves basePath routes only at a segment boundary', () => {
    gateway = createImageGateway({ basePath: '/api' });
    expect(gateway.handles({ method: 'GET', url: 'http://h/api/healthz' })).toBe(true);
    expect(gateway.handles({ method: 'GET', url: 'http://h/apix/healthz' })).toBe(false);
    expect(gateway.handles({ method: 'GET', url: 'http://h/api__proto__' })).toBe(false);
  });
});

describe('work that does not end by itself', () => {
  it('times out a provider that ignores its signal, frees the slot and answers 504', async () => {
    const stuck = stuckProvider('stuck', 50);
    gateway = createImageGateway({ providers: [stuck] });
    const response = await postChat(gateway, draw());
    expect(response.status).toBe(504);
    expect((await response.json()).error.code).toBe('GENERATION_TIMEOUT');
    expect(gateway.stats().providers.stuck?.active).toBe(0);
  });

  it('falls back to another instance when the first one times out', async () => {
    const stuck = stuckProvider('stuck', 50);
    const fast = createScriptedProvider({ id: 'fast', auto: () => 'succeed' });
    gateway = createImageGateway({ providers: [stuck, fast.provider] });
    // Round robin may start on either; the request that starts on the stuck one must still be served.
    const responses = [await postChat(gateway, draw()), await postChat(gateway, draw())];
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    expect(responses.map((response) => response.headers.get('x-gateway-attempts'))).toContain('2');
    expect(stuck.calls).toBe(1);
  });

  it('ends a stream that runs past routing.totalTimeoutMs with an error event and [DONE]', async () => {
    const stuck = stuckProvider('stuck', 60_000);
    gateway = createImageGateway({ providers: [stuck], routing: { totalTimeoutMs: 100 } });
    const items = parseSse(await (await postChat(gateway, draw({ stream: true }))).text());
    const data = items.filter((item) => item.kind === 'data').map((item) => item.value);
    expect(data.at(-1)).toBe('[DONE]');
    expect(JSON.parse(data.at(-2) as string).error.code).toBe('GENERATION_TIMEOUT');
    await waitFor(() => gateway.stats().providers.stuck?.active === 0);
  });

  it('records a client that left with a non-Error abort reason as 499, not as a gateway failure', async () => {
    const events: UsageEvent[] = [];
    const scripted = createScriptedProvider({ id: 'slow' });
    gateway = createImageGateway({ providers: [scripted.provider], onUsage: (event) => events.push(event) });
    const controller = new AbortController();
    const pending = postChat(gateway, draw(), { signal: controller.signal });
    await waitFor(() => scripted.pending.length === 1);
    controller.abort('Client connection prematurely closed.');
    expect((await pending).status).toBe(499);
    expect(events[0]).toMatchObject({ status: 499, errorCode: 'CLIENT_CLOSED_REQUEST' });
  });
});

describe('a request body that breaks off', () => {
  it('answers 499, as the Node adapter does, when a Web body stream errors mid-upload', async () => {
    const scripted = createScriptedProvider({ id: 'slow' });
    gateway = createImageGateway({ providers: [scripted.provider] });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"model":"scripted-image","messages":[{"role":"user","content":"dr'));
        controller.error(new TypeError('terminated'));
      },
    });
    const request = new Request('http://gateway.test/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    const response = await gateway.fetch(request);
    expect(response.status).toBe(499);
    expect((await response.json()).error.code).toBe('CLIENT_CLOSED_REQUEST');
    expect(scripted.pending).toHaveLength(0);
  });
});

describe('linkSignals', () => {
  it('turns a bare string reason into an AbortError', () => {
    const source = new AbortController();
    const link = linkSignals([source.signal]);
    source.abort('gone');
    expect(link.signal.reason).toBeInstanceOf(DOMException);
    expect((link.signal.reason as DOMException).name).toBe('AbortError');
  });
});
