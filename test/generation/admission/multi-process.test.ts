import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type HeldRelayFake, startHeldRelayFake } from '../../fakes/held-relay-fake.js';
import { parseSse } from '../../helpers/gateway-client.js';
import { type GatewayProcess, startGatewayProcess } from '../../helpers/gateway-processes.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../helpers/redis-server.js';

const queueFullBody = '{"error":{"message":"Queue is full","type":"rate_limit_exceeded","code":"QUEUE_FULL"}}';

function post(url: string, stream: boolean): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'held-image', stream, messages: [{ role: 'user', content: 'draw a cat' }] }),
  });
}

/** Issue 20, "How it is tested": three gateway processes, one Redis, one upstream that counts what it holds at once. */
describeWithRedis('three gateway processes on one Redis', () => {
  let redis: RedisServer;
  let upstream: HeldRelayFake;
  let gateways: GatewayProcess[] = [];
  let run = 0;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    upstream.mode = 'answer';
    upstream.releaseAll();
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    gateways = [];
    await upstream.close();
  });

  async function start(environment: Record<string, string>): Promise<void> {
    run += 1;
    upstream = await startHeldRelayFake();
    upstream.mode = 'hold';
    gateways = await Promise.all(
      [0, 1, 2].map(() =>
        startGatewayProcess({
          REDIS_URL: redis.url,
          UPSTREAM_URL: upstream.url,
          KEY_PREFIX: `run${run}:`,
          CONCURRENCY: '2',
          ...environment,
        }),
      ),
    );
  }

  it('holds a global concurrency of 2 over 60 requests spread over the three, and ends each as the admission rules say', async () => {
    await start({ MAX_WAITING: '3', LEASE_MS: '3000' });
    // Two requests take the two slots.
    const first = [post(gateways[0]?.url as string, false), post(gateways[1]?.url as string, false)];
    await upstream.waitForHeld(2);
    // 58 more, spread over the three: 39 non-stream (3 wait in the one shared room, 36 are refused), 19 streams (all wait).
    let refusedSoFar = 0;
    const more = Array.from({ length: 58 }, async (_, index) => {
      const response = await post(gateways[index % 3]?.url as string, index % 3 === 2);
      if (response.status === 429) refusedSoFar += 1;
      return { status: response.status, body: await response.text() };
    });
    const deadline = Date.now() + 10_000;
    while (refusedSoFar < 36 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(refusedSoFar).toBe(36);
    // Every process sees the global figures (each refreshes them on its heartbeat, every leaseMs / 3).
    for (const gateway of gateways) {
      const global = async () => ((await gateway.stats()) as { providers: { relay: { global: object } } }).providers.relay.global;
      const until = Date.now() + 5_000;
      while (JSON.stringify(await global()) !== JSON.stringify({ active: 2, waiting: { stream: 19, nonStream: 3 } }) && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await global()).toEqual({ active: 2, waiting: { stream: 19, nonStream: 3 } });
    }
    // Now let the upstream answer, two at a time at most, until every admitted request is served.
    let done = false;
    const all = Promise.all([
      ...first.map(async (pending) => {
        const response = await pending;
        return { status: response.status, body: await response.text() };
      }),
      ...more,
    ]).finally(() => {
      done = true;
    });
    while (!done) {
      upstream.releaseAll();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const everything = await all;
    const refusals = everything.filter((answer) => answer.status === 429);
    expect(refusals).toHaveLength(36);
    expect(new Set(refusals.map((answer) => answer.body))).toEqual(new Set([queueFullBody]));
    const answers = everything.filter((answer) => answer.status !== 429);
    expect(answers).toHaveLength(2 + 3 + 19);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      if (answer.body.startsWith('data:') || answer.body.startsWith(':'))
        expect(parseSse(answer.body).at(-1)).toEqual({ kind: 'data', value: '[DONE]' });
      else expect(JSON.parse(answer.body).choices[0].message.content).toContain('data:image/png;base64,');
    }
    expect(upstream.calls).toBe(24);
    expect(upstream.maxHeld).toBe(2);
  });

  it('gives back the slot of a process killed with SIGKILL within the lease time; the others keep serving', async () => {
    await start({ MAX_WAITING: '5', LEASE_MS: '1500' });
    const [victim, second, third] = gateways as [GatewayProcess, GatewayProcess, GatewayProcess];
    void post(victim.url, false).catch(() => 'killed');
    void post(victim.url, false).catch(() => 'killed');
    await upstream.waitForHeld(2);
    const waiting = post(second.url, false);
    const waitingToo = post(third.url, true);
    // Both wait: the victim holds the two slots.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(upstream.calls).toBe(2);
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    // Its calls stay held at the upstream (their sockets die with it, but nothing gives the slots back but the lease).
    while (upstream.calls < 4) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(Date.now() - killedAt).toBeLessThan(1_500 + 1_000);
    upstream.mode = 'answer';
    upstream.releaseAll();
    expect((await waiting).status).toBe(200);
    expect(parseSse(await (await waitingToo).text()).at(-1)).toEqual({ kind: 'data', value: '[DONE]' });
    expect((await post(third.url, false)).status).toBe(200);
  });
});
