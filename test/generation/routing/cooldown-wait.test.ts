import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../../adapters/node.js';
import { createImageGateway, type GatewayOptions, type ImageGateway, UpstreamError } from '../../../src/index.js';
import { type HeldRelayFake, startHeldRelayFake } from '../../fakes/held-relay-fake.js';
import { postChat, readSseIncrementally } from '../../helpers/gateway-client.js';
import { createScriptedProvider } from '../../helpers/scripted-provider.js';

/** Issue 18 item 4: a cooldown shorter than the wait budget is a wait in the queue, and circuits back off from a short first probe. */
let server: GatewayServer | undefined;
let gateway: ImageGateway | undefined;
let relays: HeldRelayFake[] = [];
afterEach(async () => {
  if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
  server = undefined;
  await gateway?.close();
  gateway = undefined;
  await Promise.all(relays.map((relay) => relay.close()));
  relays = [];
});

async function start(count: number, options: Partial<GatewayOptions> = {}): Promise<string> {
  relays = await Promise.all(Array.from({ length: count }, () => startHeldRelayFake()));
  server = createServer({
    providers: relays.map((relay, index) => ({
      type: 'openai-chat' as const,
      name: `relay-${index}`,
      baseURL: relay.url,
      models: ['held-image'],
    })),
    heartbeatIntervalMs: 20,
    ...options,
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function post(url: string, extra: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'held-image', messages: [{ role: 'user', content: 'draw a cat' }], ...extra }),
  });
}

describe('an upstream 429 with a short retry delay', () => {
  it('makes the next request wait in the queue for that delay, then serves it; a delay beyond queue.maxWaitMs fails at once', async () => {
    const url = await start(1, { queue: { maxWaitMs: 3_000 } });
    const [relay] = relays as [HeldRelayFake];
    relay.mode = 'rate-limit';
    relay.retryAfterMs = 400;
    // The cooldown starts when the gateway reads the 429, after this: measured from here, the wait is never shorter than the delay however slow the machine.
    const cooledFrom = Date.now();
    expect((await post(url)).status).toBe(429);
    relay.mode = 'answer';
    let startedAt = Date.now();
    const waited = await post(url);
    expect(waited.status).toBe(200);
    expect((await waited.json()).choices[0].message.content).toContain('data:image/');
    // It was cooled for the 429's delay only, not for routing.cooldownMs.
    expect(Date.now() - cooledFrom).toBeGreaterThanOrEqual(390);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(relay.calls).toBe(2);

    relay.mode = 'rate-limit';
    relay.retryAfterMs = 30_000;
    expect((await post(url)).status).toBe(429);
    relay.mode = 'answer';
    startedAt = Date.now();
    const refused = await post(url);
    expect(refused.status).toBe(503);
    expect((await refused.json()).error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(relay.calls).toBe(3);
  });

  it('keeps a stream waiting with heartbeats and its queue position, then streams the image', async () => {
    const url = await start(1);
    const [relay] = relays as [HeldRelayFake];
    relay.mode = 'rate-limit';
    relay.retryAfterMs = 400;
    expect((await post(url)).status).toBe(429);
    relay.mode = 'answer';
    const response = await post(url, { stream: true });
    expect(response.status).toBe(200);
    const items = await readSseIncrementally(response, () => true);
    const firstData = items.findIndex((item) => item.kind === 'data' && item.value.includes('data:image/'));
    const before = items.slice(0, firstData);
    expect(before.some((item) => item.kind === 'comment' && item.value === 'keep-alive')).toBe(true);
    expect(before.some((item) => item.kind === 'comment' && item.value === 'queue position 1')).toBe(true);
    expect(items.at(-1)).toEqual({ kind: 'data', value: '[DONE]' });
  });
});

describe('an outage of every instance', () => {
  it('recovers within about one probe interval after the upstream is back, not after routing.cooldownMs', async () => {
    // Scaled down: cooldownMs 6 s stands for 30 s, an outage of about 1.5 s for 10 s.
    const url = await start(3, { routing: { failureThreshold: 3, firstCooldownMs: 150, cooldownMs: 6_000 } });
    for (const relay of relays) relay.mode = 'fail';
    const outageStart = Date.now();
    // Clients keep asking during the outage: each request waits for a reopening and is a probe.
    const answers: { status: number; at: number }[] = [];
    let stop = false;
    const client = async () => {
      while (!stop) {
        const response = await post(url);
        await response.arrayBuffer();
        answers.push({ status: response.status, at: Date.now() });
        if (response.status === 200) return;
      }
    };
    const clients = Array.from({ length: 3 }, client);
    while (Date.now() - outageStart < 1_500) await new Promise((resolve) => setTimeout(resolve, 50));
    const backAt = Date.now();
    for (const relay of relays) relay.mode = 'answer';
    await Promise.all(clients);
    stop = true;
    const firstSuccess = answers.find((answer) => answer.status === 200);
    expect(firstSuccess).toBeDefined();
    // The probes back off 150, 300, 600, 1 200 ms…: the one running when the upstream returns is at most 1.2 s away.
    expect((firstSuccess?.at ?? Number.POSITIVE_INFINITY) - backAt).toBeLessThan(2_500);
    expect(answers.every((answer) => answer.status === 200 || answer.status === 502)).toBe(true);
  });
});

describe('circuit backoff', () => {
  it('opens for firstCooldownMs, doubles with each failed probe up to cooldownMs, and starts over after a success', async () => {
    let time = 5_000_000;
    let failing = true;
    const flaky = createScriptedProvider({
      id: 'flaky',
      auto: () => (failing ? new UpstreamError({ provider: 'flaky', kind: 'server', status: 503, message: 'overloaded' }) : 'succeed'),
    });
    gateway = createImageGateway({
      providers: [flaky.provider],
      routing: { failureThreshold: 1, firstCooldownMs: 1_000, cooldownMs: 5_000 },
      queue: { maxWaitMs: 500 },
      now: () => time,
    });
    const draw = { model: 'scripted-image', messages: [{ role: 'user', content: 'draw a cat' }] };
    const closedFor = () => (gateway?.stats().providers.flaky?.health.unavailableUntil ?? time) - time;
    const cooldowns: number[] = [];
    for (let probe = 0; probe < 5; probe += 1) {
      expect((await postChat(gateway, draw)).status).toBe(502);
      cooldowns.push(closedFor());
      time += closedFor();
    }
    expect(cooldowns).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    failing = false;
    expect((await postChat(gateway, draw)).status).toBe(200);
    failing = true;
    expect((await postChat(gateway, draw)).status).toBe(502);
    expect(closedFor()).toBe(1_000);
  });
});

describe('a waiter whose instance moves out of reach', () => {
  it('is answered 503 PROVIDER_UNAVAILABLE as soon as a failed probe puts the reopening beyond its wait budget', async () => {
    const failing = createScriptedProvider({
      id: 'failing',
      concurrency: 2,
      auto: () => new UpstreamError({ provider: 'failing', kind: 'server', status: 503, message: 'overloaded' }),
    });
    gateway = createImageGateway({
      providers: [failing.provider],
      routing: { failureThreshold: 1, firstCooldownMs: 500, cooldownMs: 10_000 },
      queue: { maxWaitMs: 1_200 },
    });
    const draw = { model: 'scripted-image', messages: [{ role: 'user', content: 'draw a cat' }] };
    expect((await postChat(gateway, draw)).status).toBe(502);
    // Both wait for the reopening in 500 ms: one becomes the probe and fails, which closes the circuit for 1 s more,
    // past the other's 1.2 s budget.
    const startedAt = Date.now();
    const [probe, waiter] = await Promise.all([postChat(gateway, draw), postChat(gateway, draw)]);
    const statuses = [probe.status, waiter.status].sort();
    expect(statuses).toEqual([502, 503]);
    const refused = probe.status === 503 ? probe : waiter;
    expect((await refused.json()).error.code).toBe('PROVIDER_UNAVAILABLE');
    // Answered when the probe failed, not at its timeout (that would be QUEUE_TIMEOUT).
    expect(Date.now() - startedAt).toBeLessThan(1_150);
  });
});
