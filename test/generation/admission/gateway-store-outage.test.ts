import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../../adapters/node.js';
import { type HeldRelayFake, startHeldRelayFake } from '../../fakes/held-relay-fake.js';
import { parseSse, waitFor } from '../../helpers/gateway-client.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../helpers/redis-server.js';

/** Issue 20 item 3 through the gateway: Redis stops and comes back while requests run and wait. */
describeWithRedis('the gateway on Redis while Redis stops and restarts under load', () => {
  let redis: RedisServer;
  let paused = false;
  let run = 0;
  let server: GatewayServer | undefined;
  let relay: HeldRelayFake;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    relay.mode = 'answer';
    relay.releaseAll();
    if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    await relay.close();
    if (paused) await redis.restart();
    paused = false;
  });

  async function start(onUnavailable: 'failClosed' | 'local'): Promise<string> {
    run += 1;
    relay = await startHeldRelayFake();
    relay.mode = 'hold';
    server = createServer({
      providers: [{ type: 'openai-chat', name: 'relay', baseURL: relay.url, models: ['held-image'], concurrency: 2 }],
      queue: { maxWaiting: 4 },
      heartbeatIntervalMs: 60_000,
      store: { type: 'redis', url: redis.url, keyPrefix: `gateway-outage${run}:`, leaseMs: 3_000, onUnavailable },
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    await waitFor(() => server?.gateway.stats().store.reachable === true, 10_000);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const post = (url: string, stream: boolean) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'held-image', stream, messages: [{ role: 'user', content: 'draw a cat' }] }),
    }).then(async (response) => ({ status: response.status, body: await response.text() }));
  const global = () => server?.gateway.stats().providers.relay?.global;

  it('failClosed: the waiters and new requests get 503 STORE_UNAVAILABLE, running ones finish, and Redis takes over again when back', async () => {
    const url = await start('failClosed');
    const running = [post(url, false), post(url, false)];
    await relay.waitForHeld(2);
    const waiting = [...Array.from({ length: 10 }, () => post(url, true)), ...Array.from({ length: 4 }, () => post(url, false))];
    await waitFor(() => global()?.waiting.stream === 10 && global()?.waiting.nonStream === 4);
    paused = true;
    await redis.pause();
    const ended = await Promise.all(waiting);
    for (const answer of ended.slice(0, 10)) {
      const items = parseSse(answer.body);
      expect(items.at(-1)).toEqual({ kind: 'data', value: '[DONE]' });
      expect(JSON.parse((items.at(-2) as { value: string }).value).error.code).toBe('STORE_UNAVAILABLE');
    }
    for (const answer of ended.slice(10)) {
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body).error.code).toBe('STORE_UNAVAILABLE');
    }
    const refused = await post(url, false);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error).toMatchObject({ type: 'server_error', code: 'STORE_UNAVAILABLE' });
    relay.releaseAll();
    expect((await Promise.all(running)).map((answer) => answer.status)).toEqual([200, 200]);
    await redis.restart();
    paused = false;
    await waitFor(() => server?.gateway.stats().store.reachable === true, 10_000);
    relay.mode = 'answer';
    expect((await Promise.all(Array.from({ length: 6 }, () => post(url, false)))).map((answer) => answer.status)).toEqual(
      Array(6).fill(200),
    );
    expect(relay.maxHeld).toBe(2);
  });

  it('local: the waiters go on in this process, new requests are served on its own limits, and Redis takes over again when back', async () => {
    const url = await start('local');
    const running = [post(url, false), post(url, false)];
    await relay.waitForHeld(2);
    const waiting = [...Array.from({ length: 10 }, () => post(url, true)), ...Array.from({ length: 4 }, () => post(url, false))];
    await waitFor(() => global()?.waiting.stream === 10 && global()?.waiting.nonStream === 4);
    paused = true;
    await redis.pause();
    await waitFor(() => server?.gateway.stats().store.mode === 'local');
    const during = Array.from({ length: 4 }, () => post(url, true));
    // Two at a time still: the leases this process holds count against its own limit.
    let done = false;
    const all = Promise.all([...running, ...waiting, ...during]).finally(() => {
      done = true;
    });
    while (!done) {
      relay.releaseAll();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const answers = await all;
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    for (const answer of answers)
      if (answer.body.startsWith('data:') || answer.body.startsWith(':')) expect(answer.body).toContain('data: [DONE]');
    expect(relay.maxHeld).toBe(2);
    await redis.restart();
    paused = false;
    await waitFor(() => server?.gateway.stats().store.mode === 'shared', 10_000);
    const shared = post(url, false);
    await relay.waitForHeld(1);
    await waitFor(() => global()?.active === 1);
    relay.releaseAll();
    expect((await shared).status).toBe(200);
  });
});
