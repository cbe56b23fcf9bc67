import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../../adapters/node.js';
import type { GatewayOptions } from '../../../src/index.js';
import { type HeldRelayFake, startHeldRelayFake } from '../../fakes/held-relay-fake.js';
import { admissionStores, useAdmissionStore } from '../../helpers/admission-stores.js';
import { parseSse, waitFor } from '../../helpers/gateway-client.js';

/**
 * Issue 18 item 3, driven as a client would: the gateway on a real socket in
 * front of three relay instances that hold every call until released.
 */
let server: GatewayServer | undefined;
let relays: HeldRelayFake[] = [];
afterEach(async () => {
  for (const relay of relays) relay.releaseAll();
  if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
  server = undefined;
  await Promise.all(relays.map((relay) => relay.close()));
  relays = [];
});

const queueFullBody = '{"error":{"message":"Queue is full","type":"rate_limit_exceeded","code":"QUEUE_FULL"}}';

/** The store the suite runs on (memory, then Redis): set by each describe.each block. */
let store: () => Partial<GatewayOptions> = () => ({});

async function start(count: number, concurrency: number, options: Partial<GatewayOptions> = {}): Promise<string> {
  relays = await Promise.all(Array.from({ length: count }, () => startHeldRelayFake()));
  for (const relay of relays) relay.mode = 'hold';
  server = createServer({
    providers: relays.map((relay, index) => ({
      type: 'openai-chat' as const,
      name: `relay-${index}`,
      baseURL: relay.url,
      models: ['held-image'],
      concurrency,
    })),
    ...store(),
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

const stats = () => Object.values(server?.gateway.stats().providers ?? {});
const held = () => relays.reduce((sum, relay) => sum + relay.held, 0);
const waitingNonStream = () => stats().reduce((sum, instance) => sum + instance.waiting.nonStream, 0);
const waitingStream = () => stats().reduce((sum, instance) => sum + instance.waiting.stream, 0);

function releaseEverything(): void {
  for (const relay of relays) {
    relay.mode = 'answer';
    relay.releaseAll();
  }
}

async function expectNothingLeft(): Promise<void> {
  await waitFor(() => stats().every((instance) => instance.active === 0 && instance.waiting.stream + instance.waiting.nonStream === 0));
}

describe.each(admissionStores)('on the %s store', (kind) => {
  const selected = useAdmissionStore(kind);
  beforeEach(() => {
    store = selected;
  });

  describe('admission across instances', () => {
    it('admits 60 non-stream requests on 3 instances × 10 slots (30 running, 30 waiting), refuses the 61st with the seed body, and answers all 60', async () => {
      const url = await start(3, 10);
      const first = Array.from({ length: 50 }, () => post(url));
      await waitFor(() => held() === 30 && waitingNonStream() === 20);
      const more = Array.from({ length: 10 }, () => post(url));
      await waitFor(() => waitingNonStream() === 30);
      const refused = await post(url);
      expect(refused.status).toBe(429);
      expect(await refused.text()).toBe(queueFullBody);
      // Each waiter is counted once, on one instance, and no instance is over its own room.
      expect(stats().map((instance) => instance.waiting.nonStream)).toEqual([10, 10, 10]);
      releaseEverything();
      const responses = await Promise.all([...first, ...more]);
      expect(responses.map((response) => response.status)).toEqual(Array(60).fill(200));
      for (const response of responses) expect((await response.json()).choices[0].message.content).toContain('data:image/');
      expect(relays.map((relay) => relay.maxHeld <= 10)).toEqual([true, true, true]);
      await expectNothingLeft();
    });

    it('admits 10 non-stream requests behind 10 waiting streams: streams never take non-stream room', async () => {
      const url = await start(1, 10);
      const running = Array.from({ length: 10 }, () => post(url));
      await waitFor(() => held() === 10);
      const streams = Array.from({ length: 10 }, () => post(url, { stream: true }));
      await waitFor(() => waitingStream() === 10);
      const nonStream = Array.from({ length: 10 }, () => post(url));
      await waitFor(() => waitingNonStream() === 10);
      const refused = await post(url);
      expect(refused.status).toBe(429);
      expect(await refused.text()).toBe(queueFullBody);
      releaseEverything();
      expect((await Promise.all([...running, ...nonStream])).map((response) => response.status)).toEqual(Array(20).fill(200));
      for (const response of await Promise.all(streams)) {
        expect(parseSse(await response.text()).at(-1)).toEqual({ kind: 'data', value: '[DONE]' });
      }
      await expectNothingLeft();
    });

    it('counts 20 queued streams as 20 in stats() and /healthz, not once per instance', async () => {
      const url = await start(3, 1, { healthDetails: true });
      const streams = Array.from({ length: 23 }, () => post(url, { stream: true }));
      await waitFor(() => held() === 3 && waitingStream() === 20);
      const health = await (await fetch(`${url}/healthz`)).json();
      expect(Object.values(health.providers).reduce((sum: number, instance: any) => sum + instance.waiting, 0)).toBe(20);
      releaseEverything();
      for (const response of await Promise.all(streams)) {
        expect(response.status).toBe(200);
        const items = parseSse(await response.text());
        expect(items.at(-1)).toEqual({ kind: 'data', value: '[DONE]' });
        expect(items.some((item) => item.kind === 'data' && item.value.includes('data:image/'))).toBe(true);
      }
      await expectNothingLeft();
    });

    it('keeps the room of an instance whose circuit is open while it reopens within the wait budget', async () => {
      const url = await start(3, 10, { routing: { failureThreshold: 1, firstCooldownMs: 60_000, cooldownMs: 60_000 } });
      const [broken] = relays as [HeldRelayFake];
      broken.mode = 'fail';
      // Pinned to relay-0: it fails and opens relay-0's circuit for a minute.
      const pinned = await post(url, { model: 'relay-0/held-image' });
      expect(pinned.status).toBe(502);
      expect(server?.gateway.stats().providers['relay-0']?.health.state).toBe('open');
      const requests = Array.from({ length: 50 }, () => post(url));
      await waitFor(() => held() === 20 && waitingNonStream() === 30);
      releaseEverything();
      expect((await Promise.all(requests)).map((response) => response.status)).toEqual(Array(50).fill(200));
      expect(broken.calls).toBe(1);
      await expectNothingLeft();
    });
  });
});
