import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../adapters/node.js';
import type { GatewayOptions } from '../../src/index.js';
import { type HeldRelayFake, startHeldRelayFake } from '../fakes/held-relay-fake.js';
import { eventually } from '../helpers/eventually.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../helpers/redis-server.js';

/** Issue 20: usage per project and key, added up across every process on one Redis, within the same bounds. */
const key = 'sk-shared-usage-0123456789';
let redis: RedisServer;
let relay: HeldRelayFake;
let servers: GatewayServer[] = [];
let prefixCount = 0;
const nextPrefix = () => {
  prefixCount += 1;
  return `usage-${prefixCount}:`;
};

async function startGateway(keyPrefix: string, options: Partial<GatewayOptions> = {}): Promise<{ url: string; server: GatewayServer }> {
  const server = createServer({
    providers: [{ type: 'openai-chat', name: 'relay-0', baseURL: relay.url, models: ['held-image'] }],
    apiKeys: [key],
    // Key ids are an HMAC with this salt: processes that share usage per key must share it.
    keyIdSalt: 'shared-salt-0123456789',
    store: { type: 'redis', url: redis.url, keyPrefix, onUnavailable: 'local' },
    ...options,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await eventually(() => server.gateway.stats().store.reachable);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function post(url: string, project: string): Promise<number> {
  const answer = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-gateway-project-id': project },
    body: JSON.stringify({ model: 'held-image', messages: [{ role: 'user', content: 'draw a cat' }] }),
  });
  await answer.arrayBuffer();
  return answer.status;
}

/** Requests counted for `project` in the shared view of `server`, or undefined. */
const sharedRequests = (server: GatewayServer, project: string) => server.gateway.stats().projects[project]?.requests;

describeWithRedis('usage counters shared through Redis', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    servers = [];
    await relay?.close();
  });

  it('adds up what every process counted, per project and per key, and says when it was read', async () => {
    relay = await startHeldRelayFake();
    const keyPrefix = nextPrefix();
    const a = await startGateway(keyPrefix);
    const b = await startGateway(keyPrefix);
    for (let index = 0; index < 3; index += 1) expect(await post(a.url, 'p1')).toBe(200);
    expect(await post(b.url, 'p1')).toBe(200);
    expect(await post(b.url, 'p2')).toBe(200);

    await eventually(() => sharedRequests(a.server, 'p1') === 4 && sharedRequests(a.server, 'p2') === 1);
    await eventually(() => sharedRequests(b.server, 'p1') === 4);
    const stats = a.server.gateway.stats();
    expect(stats.usage).toEqual({ source: 'redis', readAt: expect.any(Number) });
    expect(stats.projects.p1).toMatchObject({ requests: 4, failed: 0, images: 4 });
    expect(Object.values(stats.keys)).toEqual([expect.objectContaining({ requests: 5, images: 5 })]);
  });

  it('sends what is left at close, and keeps counts made while Redis was down for when it is back', async () => {
    relay = await startHeldRelayFake();
    const keyPrefix = nextPrefix();
    const a = await startGateway(keyPrefix);
    const b = await startGateway(keyPrefix);
    await redis.pause();
    try {
      await eventually(() => !a.server.gateway.stats().store.reachable);
      expect(await post(a.url, 'during-outage')).toBe(200);
    } finally {
      await redis.restart();
    }
    await eventually(() => sharedRequests(b.server, 'during-outage') === 1);

    expect(await post(a.url, 'at-close')).toBe(200);
    await new Promise<void>((resolve) => a.server.close(() => resolve()));
    servers = servers.filter((server) => server !== a.server);
    await eventually(() => sharedRequests(b.server, 'at-close') === 1);
  });

  it('holds the shared tables to usageTables, folding the least recently counted into (evicted)', async () => {
    relay = await startHeldRelayFake();
    const keyPrefix = nextPrefix();
    const usageTables = { maxProjects: 2, maxKeys: 10 };
    const a = await startGateway(keyPrefix, { usageTables });
    const b = await startGateway(keyPrefix, { usageTables });
    expect(await post(a.url, 'first')).toBe(200);
    await eventually(() => sharedRequests(b.server, 'first') === 1);
    expect(await post(b.url, 'second')).toBe(200);
    await eventually(() => sharedRequests(a.server, 'second') === 1);
    expect(await post(a.url, 'third')).toBe(200);
    await eventually(() => sharedRequests(b.server, 'third') === 1);
    expect(Object.keys(b.server.gateway.stats().projects).sort()).toEqual(['(evicted)', 'second', 'third']);
    expect(b.server.gateway.stats().projects['(evicted)']?.requests).toBe(1);
  });
});
