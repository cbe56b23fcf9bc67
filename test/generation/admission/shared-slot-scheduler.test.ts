import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { SharedSlotScheduler } from '../../../src/generation/admission/shared-slot-scheduler.js';
import type { Slot } from '../../../src/generation/admission/slot-scheduler.js';
import { openRedisLink, type RedisLink } from '../../../src/store/redis/redis-link.js';
import { waitFor } from '../../helpers/gateway-client.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../helpers/redis-server.js';

/** Resolves when an asynchronous condition holds, asking every 10 ms; fails after 5 s. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

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
  async function processOn(options: { leaseMs?: number; maxWaiting?: number; concurrency?: number; pollMs?: number } = {}) {
    const link = openRedisLink({
      type: 'redis',
      url: redis.url,
      keyPrefix: `test${prefix}:`,
      leaseMs: options.leaseMs ?? 15_000,
      onUnavailable: 'failClosed',
    });
    await link.opened;
    await waitFor(() => link.reachable);
    const scheduler = new SharedSlotScheduler({
      link,
      maxWaiting: options.maxWaiting,
      maxStreamWaiting: 100,
      maxWaitMs: 30_000,
      pollMs: options.pollMs,
    });
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
    // No poll within the test: the freed slot reaches the other process by its message.
    const a = await processOn({ pollMs: 60_000 });
    const b = await processOn({ pollMs: 60_000 });
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

  it('counts the waiting room across processes: the next non-stream request anywhere is refused with the seed body', async () => {
    const a = await processOn({ concurrency: 1, maxWaiting: 1, leaseMs: 1_500 });
    const b = await processOn({ concurrency: 1, maxWaiting: 1, leaseMs: 1_500 });
    const running = await ask(a.scheduler).slot;
    const waiting = ask(b.scheduler);
    await waitFor(() => waiting.position() === 1);
    const refused = await ask(a.scheduler).slot.catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: 'QUEUE_FULL', message: 'Queue is full', type: 'rate_limit_exceeded' });
    // Streams have room of their own.
    const stream = ask(a.scheduler, true);
    await waitFor(() => stream.position() === 2);
    await waitFor(() => a.scheduler.stats().x?.global?.waiting.nonStream === 1 && a.scheduler.stats().x?.global?.waiting.stream === 1);
    expect(a.scheduler.stats().x).toMatchObject({ active: 1, waiting: { stream: 1, nonStream: 0 }, global: { active: 1 } });
    running.release('completed');
    (await waiting.slot).release('completed');
    (await stream.slot).release('completed');
  });

  it('takes a waiter out of the shared line when its client leaves', async () => {
    const a = await processOn({ concurrency: 1, maxWaiting: 5 });
    const b = await processOn({ concurrency: 1, maxWaiting: 5 });
    const running = await ask(a.scheduler).slot;
    const leaving = new AbortController();
    const left = ask(b.scheduler, false, leaving.signal);
    const staying = ask(a.scheduler);
    await waitFor(() => left.position() === 1 && staying.position() === 2);
    leaving.abort(new Error('client left'));
    await expect(left.slot).rejects.toThrow('client left');
    const line = a.link.key('admission', 'x', 'line');
    await until(async () => (await a.link.client.zcard(line)) === 1);
    await waitFor(() => staying.position() === 1);
    running.release('completed');
    (await staying.slot).release('completed');
  });

  it('gets back the slot of a process that died while holding it within the lease time, and skips its waiters', async () => {
    const a = await processOn({ concurrency: 1, leaseMs: 1_000, maxWaiting: 5 });
    const b = await processOn({ concurrency: 1, leaseMs: 1_000, maxWaiting: 5 });
    await ask(a.scheduler).slot;
    const deadWaiter = ask(a.scheduler).slot.catch(() => 'closed');
    await until(async () => (await b.link.client.zcard(b.link.key('admission', 'x', 'line'))) === 1);
    const waiting = ask(b.scheduler);
    await waitFor(() => waiting.position() === 2);
    // "Kill" a: its connection goes without a release or a leave, and nothing renews its lease or its waiter any more.
    const diedAt = Date.now();
    a.link.client.disconnect();
    const slot = await waiting.slot;
    expect(Date.now() - diedAt).toBeLessThan(1_000 + 1_000);
    slot.release('completed');
    a.scheduler.close();
    expect(await deadWaiter).toBe('closed');
  });
});
