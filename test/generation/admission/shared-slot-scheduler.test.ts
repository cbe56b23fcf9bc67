import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { SharedSlotScheduler } from '../../../src/generation/admission/shared-slot-scheduler.js';
import type { Slot } from '../../../src/generation/admission/slot-scheduler.js';
import { openRedisLink, type RedisLink } from '../../../src/store/redis/redis-link.js';
import { waitFor } from '../../helpers/gateway-client.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../helpers/redis-server.js';

/** Two schedulers on one Redis stand for two gateway processes. */
describeWithRedis('SharedSlotScheduler: slots and the wait list shared through Redis', () => {
  let redis: RedisServer;
  let prefix = 0;
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
  });

  /** A "process": its own link and scheduler, with keys under this test's prefix. */
  async function processOn(
    options: { leaseMs?: number; maxWaiting?: number; concurrency?: number; onUnavailable?: 'failClosed' | 'local' } = {},
  ) {
    const link = openRedisLink({
      type: 'redis',
      url: redis.url,
      keyPrefix: `test${prefix}:`,
      leaseMs: options.leaseMs ?? 15_000,
      onUnavailable: options.onUnavailable ?? 'failClosed',
    });
    await link.opened;
    await waitFor(() => link.reachable);
    const scheduler = new SharedSlotScheduler({ link, maxWaiting: options.maxWaiting, maxStreamWaiting: 100, maxWaitMs: 30_000 });
    scheduler.register('x', options.concurrency ?? 2);
    opened.push({ link, scheduler });
    return { link, scheduler };
  }

  const ask = (scheduler: SharedSlotScheduler, stream = false, signal: AbortSignal = new AbortController().signal) =>
    scheduler.enqueue({ candidates: ['x'], stream, signal });

  beforeAll(() => {
    prefix = 0;
  });
  afterEach(() => {
    prefix += 1;
  });

  it('holds one concurrency across processes, and a slot freed on one serves the oldest waiter on the other', async () => {
    const a = await processOn();
    const b = await processOn();
    const first = await ask(a.scheduler).slot;
    const second = await ask(b.scheduler).slot;
    const waiting = ask(b.scheduler);
    const waitingLater = ask(a.scheduler);
    // Positions come from the shared line, across both processes.
    await waitFor(() => waiting.position() === 1 && waitingLater.position() === 2);
    let served: Slot | undefined;
    void waiting.slot.then((slot) => {
      served = slot;
    });
    first.release('completed');
    const slot = await waiting.slot;
    expect(slot.instanceId).toBe('x');
    expect(served).toBe(slot);
    second.release('completed');
    (await waitingLater.slot).release('completed');
    slot.release('completed');
    await waitFor(() => a.scheduler.stats().x?.active === 0 && b.scheduler.stats().x?.active === 0);
  });
});
