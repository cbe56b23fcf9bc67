import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { SharedSlotScheduler } from '../../../src/generation/admission/shared-slot-scheduler.js';
import { openRedisLink, type RedisLink } from '../../../src/store/redis/redis-link.js';
import { waitFor } from '../../helpers/gateway-client.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../helpers/redis-server.js';

/** Item 3 of issue 20: Redis stops and comes back while requests hold slots and wait. */
describeWithRedis('shared admission while Redis is unreachable', () => {
  let redis: RedisServer;
  let run = 0;
  let paused = false;
  const pause = async () => {
    paused = true;
    await redis.pause();
  };
  const restart = async () => {
    await redis.restart();
    paused = false;
  };
  const opened: { link: RedisLink; scheduler: SharedSlotScheduler }[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const { link, scheduler } of opened.splice(0)) {
      scheduler.close();
      await link.close();
    }
    if (paused) await redis.restart();
    paused = false;
    run += 1;
  });

  async function processOn(onUnavailable: 'failClosed' | 'local') {
    const link = openRedisLink({ type: 'redis', url: redis.url, keyPrefix: `outage${run}:`, leaseMs: 2_000, onUnavailable });
    await link.opened;
    await waitFor(() => link.reachable);
    const scheduler = new SharedSlotScheduler({ link, maxWaiting: 5, maxStreamWaiting: 100, maxWaitMs: 30_000 });
    scheduler.register('x', 1);
    opened.push({ link, scheduler });
    return { link, scheduler };
  }

  const ask = (scheduler: SharedSlotScheduler) =>
    scheduler.enqueue({ candidates: ['x'], stream: false, signal: new AbortController().signal });

  it('failClosed: waiters and newcomers get 503 STORE_UNAVAILABLE, the running generation ends normally, and shared mode returns with Redis', async () => {
    const { link, scheduler } = await processOn('failClosed');
    const running = await ask(scheduler).slot;
    const waiting = ask(scheduler);
    await waitFor(() => waiting.position() === 1);
    const waited = waiting.slot.catch((error: unknown) => error);
    await pause();
    await expect(waited).resolves.toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
    await expect(ask(scheduler).slot).rejects.toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
    running.release('completed');
    await restart();
    await waitFor(() => link.reachable, 10_000);
    const again = await ask(scheduler).slot;
    expect(scheduler.stats().x).toMatchObject({ active: 1, global: { active: 1 } });
    again.release('completed');
  });

  it("local: waiters move to this process's own queue, the lease it holds still counts, newcomers wait there, and Redis takes over again when back", async () => {
    const { link, scheduler } = await processOn('local');
    const running = await ask(scheduler).slot;
    const waiting = ask(scheduler);
    await waitFor(() => waiting.position() === 1);
    await pause();
    await waitFor(() => !link.reachable);
    const newcomer = ask(scheduler);
    let served = 0;
    void waiting.slot.then(() => (served += 1));
    void newcomer.slot.then(() => (served += 1));
    // The shared lease still running holds this process's one slot.
    expect(newcomer.position()).toBe(2);
    expect(waiting.position()).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(served).toBe(0);
    running.release('completed');
    const first = await waiting.slot;
    expect(served).toBe(1);
    first.release('completed');
    const second = await newcomer.slot;
    await restart();
    await waitFor(() => link.reachable, 10_000);
    second.release('completed');
    const shared = await ask(scheduler).slot;
    expect(scheduler.stats().x?.global?.active).toBe(1);
    shared.release('completed');
  });
});
