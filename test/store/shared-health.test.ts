import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../adapters/node.js';
import type { GatewayOptions } from '../../src/index.js';
import { type HeldRelayFake, startHeldRelayFake } from '../fakes/held-relay-fake.js';
import { eventually } from '../helpers/eventually.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../helpers/redis-server.js';

/** Issue 20: one process's view of an upstream's trouble is every process's. */
let redis: RedisServer;
let relay: HeldRelayFake;
let servers: GatewayServer[] = [];
let prefixCount = 0;
/** Each test its own keys on the one server. */
const nextPrefix = () => {
  prefixCount += 1;
  return `health-${prefixCount}:`;
};

async function startGateway(keyPrefix: string, options: Partial<GatewayOptions> = {}): Promise<{ url: string; server: GatewayServer }> {
  const server = createServer({
    providers: [{ type: 'openai-chat', name: 'relay-0', baseURL: relay.url, models: ['held-image'] }],
    store: { type: 'redis', url: redis.url, keyPrefix },
    queue: { maxWaitMs: 1_000 },
    ...options,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function post(url: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'held-image', messages: [{ role: 'user', content: 'draw a cat' }] }),
  });
}

/** The instance's health as the gateway behind `server` sees it. */
const healthOf = (server: GatewayServer) => server.gateway.stats().providers['relay-0']?.health;

/** Resolves when the gateway's link to Redis is up (its startup read of the shared state done or under way). */
const connected = (server: GatewayServer) => eventually(() => server.gateway.stats().store.reachable === true);

describeWithRedis('health shared through Redis', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await Promise.all(servers.map((server) => server.gateway.close()));
    servers = [];
    await relay?.close();
  });

  it('cools the instance for gateway B when gateway A hears a 429 with a retry delay', async () => {
    relay = await startHeldRelayFake();
    const keyPrefix = nextPrefix();
    const a = await startGateway(keyPrefix);
    const b = await startGateway(keyPrefix);
    await Promise.all([connected(a.server), connected(b.server)]);
    relay.mode = 'rate-limit';
    relay.retryAfterMs = 30_000;
    expect((await post(a.url)).status).toBe(429);
    expect(relay.calls).toBe(1);

    await eventually(() => healthOf(b.server)?.unavailableUntil !== null);
    relay.mode = 'answer';
    const refused = await post(b.url);
    // B never asked the upstream: the delay is longer than B may wait, so it says so at once.
    expect(refused.status).toBe(503);
    expect((await refused.json()).error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(20);
    expect(relay.calls).toBe(1);
  });

  it('opens the circuit in B when it opens in A, closes it when A probes successfully, and a gateway started later reads it', async () => {
    relay = await startHeldRelayFake();
    const keyPrefix = nextPrefix();
    const routing = { failureThreshold: 1, firstCooldownMs: 300, cooldownMs: 30_000 };
    const a = await startGateway(keyPrefix, { routing, queue: { maxWaitMs: 100 } });
    const b = await startGateway(keyPrefix, { routing, queue: { maxWaitMs: 100 } });
    await Promise.all([connected(a.server), connected(b.server)]);
    relay.mode = 'fail';
    expect((await post(a.url)).status).toBe(502);
    await eventually(() => healthOf(b.server)?.state === 'open');
    expect(relay.calls).toBe(1);

    const c = await startGateway(keyPrefix, { routing, queue: { maxWaitMs: 100 } });
    await eventually(() => healthOf(c.server)?.state !== 'closed');

    relay.mode = 'answer';
    await eventually(() => healthOf(a.server)?.state === 'half-open', 2_000);
    expect((await post(a.url)).status).toBe(200);
    await eventually(() => healthOf(b.server)?.state === 'closed' && healthOf(c.server)?.state === 'closed');
  });
});
