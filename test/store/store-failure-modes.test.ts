import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../adapters/node.js';
import type { GatewayOptions } from '../../src/index.js';
import { type HeldRelayFake, startHeldRelayFake } from '../fakes/held-relay-fake.js';
import { eventually } from '../helpers/eventually.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../helpers/redis-server.js';

/** Issue 20 item 3: what a gateway does while Redis is unreachable, and that it comes back by itself. */
const key = 'sk-failure-modes-0123456789';
let redis: RedisServer;
let relay: HeldRelayFake;
let server: GatewayServer | undefined;
let url: string;
let redisDown = false;
const pauseRedis = async () => {
  redisDown = true;
  await redis.pause();
};
const restartRedis = async () => {
  await redis.restart();
  redisDown = false;
};
let logged: { level: string; message?: string; object: Record<string, unknown> }[] = [];

const logger = {
  info: (object: Record<string, unknown>, message?: string) => logged.push({ level: 'info', object, message }),
  warn: (object: Record<string, unknown>, message?: string) => logged.push({ level: 'warn', object, message }),
  error: (object: Record<string, unknown>, message?: string) => logged.push({ level: 'error', object, message }),
};
const storeLines = (level: string) => logged.filter((line) => line.level === level && line.object.store === 'redis');

async function startGateway(onUnavailable: 'failClosed' | 'local', options: Partial<GatewayOptions> = {}): Promise<GatewayServer> {
  server = createServer({
    providers: [{ type: 'openai-chat', name: 'relay-0', baseURL: relay.url, models: ['held-image'] }],
    apiKeys: [key],
    store: { type: 'redis', url: redis.url, keyPrefix: `modes-${onUnavailable}:`, onUnavailable },
    logger,
    ...options,
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return server;
}

function post(): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'held-image', messages: [{ role: 'user', content: 'draw a cat' }] }),
  });
}

async function health(authorized: boolean): Promise<{ status: number; body: any }> {
  const answer = await fetch(`${url}/healthz`, { headers: authorized ? { authorization: `Bearer ${key}` } : {} });
  return { status: answer.status, body: await answer.json() };
}

const reachable = (wanted: boolean) => eventually(() => server?.gateway.stats().store.reachable === wanted);

const storeUnavailableBody =
  '{"error":{"message":"The shared store (Redis) that holds the limits of every gateway process is unreachable, so the request was not admitted ' +
  '(option store.onUnavailable is \'failClosed\'); retry shortly.","type":"server_error","code":"STORE_UNAVAILABLE"}}';

describeWithRedis('the store failure modes', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    await relay?.close();
    logged = [];
    // A test that failed while Redis was down must not leave the next one without it.
    if (redisDown) await restartRedis();
  });

  it('failClosed: refuses new work with 503 STORE_UNAVAILABLE while Redis is down, and serves again once it is back', async () => {
    relay = await startHeldRelayFake();
    const gateway = (await startGateway('failClosed')).gateway;
    await reachable(true);
    expect((await post()).status).toBe(200);
    expect(await health(false)).toEqual({ status: 200, body: { status: 'ok', store: { type: 'redis', reachable: true, mode: 'shared' } } });

    await pauseRedis();
    await reachable(false);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post()));
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(await answer.text()).toBe(storeUnavailableBody);
    }
    expect(relay.calls).toBe(1);
    expect(gateway.stats().store).toEqual({ type: 'redis', reachable: false, mode: 'failClosed' });
    const minimal = await health(false);
    expect(minimal).toEqual({
      status: 503,
      body: { status: 'store_unavailable', store: { type: 'redis', reachable: false, mode: 'failClosed' } },
    });
    const detailed = await health(true);
    expect(detailed.status).toBe(503);
    expect(detailed.body).toMatchObject({
      status: 'store_unavailable',
      store: { reachable: false },
      providers: { 'relay-0': { state: 'closed' } },
    });
    // One loud line for the outage, however many reconnection attempts fail meanwhile.
    expect(storeLines('warn')).toHaveLength(1);
    expect(storeLines('warn')[0]?.message).toMatch(/refused with 503 STORE_UNAVAILABLE/);

    await restartRedis();
    await reachable(true);
    const again = await Promise.all(Array.from({ length: 5 }, () => post()));
    expect(again.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(storeLines('info').at(-1)?.message).toMatch(/reachable again/);
    expect((await health(false)).status).toBe(200);
  });

  it('local: keeps serving on this process own limits while Redis is down, says so once, and goes back to shared', async () => {
    relay = await startHeldRelayFake();
    const gateway = (await startGateway('local')).gateway;
    await reachable(true);
    await pauseRedis();
    await reachable(false);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post()));
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(gateway.stats().store).toEqual({ type: 'redis', reachable: false, mode: 'local' });
    expect(await health(false)).toEqual({
      status: 200,
      body: { status: 'degraded', store: { type: 'redis', reachable: false, mode: 'local' } },
    });
    expect(storeLines('warn')).toHaveLength(1);
    expect(storeLines('warn')[0]?.message).toMatch(/applies its own limits/);

    await restartRedis();
    await reachable(true);
    expect(gateway.stats().store.mode).toBe('shared');
    expect((await post()).status).toBe(200);
  });

  it('failClosed from the start: a gateway whose Redis is not up yet refuses, then serves once it comes up, without a restart', async () => {
    relay = await startHeldRelayFake();
    await pauseRedis();
    await startGateway('failClosed');
    const early = await post();
    expect(early.status).toBe(503);
    expect((await early.json()).error.code).toBe('STORE_UNAVAILABLE');
    await eventually(() => storeLines('warn').length === 1);
    await restartRedis();
    await reachable(true);
    expect((await post()).status).toBe(200);
    expect(storeLines('warn')).toHaveLength(1);
  });

  it('answers a request that is wrong in itself with its own error, not STORE_UNAVAILABLE', async () => {
    relay = await startHeldRelayFake();
    await pauseRedis();
    await startGateway('failClosed');
    const answer = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'draw a cat' }] }),
    });
    expect(answer.status).toBe(400);
    expect((await answer.json()).error.code).toBe('MODEL_NOT_FOUND');
    await restartRedis();
  });
});
