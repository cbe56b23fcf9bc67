import { describe, expect, it } from 'vitest';
import { type InstanceGate, type Slot, SlotScheduler } from '../../../src/generation/admission/slot-scheduler.js';

/** Review of issue 18 item 4: an instance that reopens serves its waiters in order, and its wake-up timer holds nothing up. */
function coolingUntil(reopensAt: () => number, now: () => number): InstanceGate {
  return {
    isAvailable: () => reopensAt() <= now(),
    admit: () => (reopensAt() <= now() ? 'admitted' : 'refused'),
    reopensAt,
  };
}

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}

describe('SlotScheduler around a reopening instance', () => {
  it('serves the older waiters before a newcomer that arrives after the reopening but before the wake-up runs', async () => {
    let time = 1_000_000;
    const reopensAt = 1_060_000;
    const scheduler = new SlotScheduler({
      maxWaiting: 10,
      maxStreamWaiting: 10,
      maxWaitMs: 120_000,
      gate: coolingUntil(
        () => reopensAt,
        () => time,
      ),
      now: () => time,
    });
    scheduler.register('a', 1);
    const order: string[] = [];
    const older = scheduler.enqueue({ candidates: ['a'], stream: false, signal: new AbortController().signal });
    const olderSlot = older.slot.then((slot) => {
      order.push('older');
      return slot;
    });
    expect(older.position()).toBe(1);
    // The cooldown is over by the clock; the real wake-up timer (a minute away) has not run.
    time = reopensAt + 1;
    const newcomer = scheduler.enqueue({ candidates: ['a'], stream: false, signal: new AbortController().signal });
    const newcomerSlot = newcomer.slot.then((slot) => {
      order.push('newcomer');
      return slot;
    });
    const first: Slot = await olderSlot;
    expect(order).toEqual(['older']);
    expect(newcomer.position()).toBeGreaterThan(0);
    first.release('completed');
    (await newcomerSlot).release('completed');
    expect(order).toEqual(['older', 'newcomer']);
    scheduler.close();
  }, 5_000);

  it('drops the wake-up timer of a cooling instance when its last waiter leaves', async () => {
    const time = 1_000_000;
    const scheduler = new SlotScheduler({
      maxWaiting: 10,
      maxStreamWaiting: 10,
      maxWaitMs: 120_000,
      gate: coolingUntil(
        () => time + 60_000,
        () => time,
      ),
      now: () => time,
    });
    scheduler.register('a', 1);
    const before = timeouts();
    const leaving = new AbortController();
    const ticket = scheduler.enqueue({ candidates: ['a'], stream: false, signal: leaving.signal });
    // Its deadline keeps the process up while it waits (the instance's wake-up is unref'd: it does not count here).
    expect(timeouts()).toBe(before + 1);
    leaving.abort(new Error('client left'));
    await expect(ticket.slot).rejects.toThrow('client left');
    expect(timeouts()).toBe(before);
    expect(scheduler.stats().a?.waiting).toEqual({ stream: 0, nonStream: 0 });
    scheduler.close();
  });
});

describe('SlotScheduler costs with many waiters', () => {
  it('does not look at the waiters of other instances when a slot frees on one that nobody waits for', async () => {
    const scheduler = new SlotScheduler({ maxStreamWaiting: 10_000, maxWaitMs: 600_000 });
    for (const id of ['a', 'c']) scheduler.register(id, 1);
    let looks = 0;
    const counted = (ids: string[]) =>
      new Proxy(ids, {
        get(target, key, receiver) {
          looks += 1;
          return Reflect.get(target, key, receiver);
        },
      });
    (await scheduler.enqueue({ candidates: ['a'], stream: true, signal: new AbortController().signal }).slot).probe;
    const waiting = Array.from({ length: 1_000 }, () =>
      scheduler.enqueue({ candidates: counted(['a']), stream: true, signal: new AbortController().signal }).slot.catch(() => 'closed'),
    );
    const slot = await scheduler.enqueue({ candidates: ['c'], stream: false, signal: new AbortController().signal }).slot;
    looks = 0;
    slot.release('completed');
    expect(looks).toBe(0);
    scheduler.close();
    expect(new Set(await Promise.all(waiting))).toEqual(new Set(['closed']));
  });
});

describe('SlotScheduler per-instance lines', () => {
  it('serves in arrival order past waiters that left, and puts a fallback back at its place', async () => {
    let time = 1_000;
    const scheduler = new SlotScheduler({ maxStreamWaiting: 100, maxWaitMs: 600_000, now: () => time });
    scheduler.register('a', 1);
    const running = await scheduler.enqueue({ candidates: ['a'], stream: true, signal: new AbortController().signal }).slot;
    const served: string[] = [];
    const wait = (name: string, signal: AbortSignal, arrivedAt?: number) => {
      time += 1;
      const ticket = scheduler.enqueue({ candidates: ['a'], stream: true, signal, arrivedAt });
      return {
        ticket,
        done: ticket.slot.then(
          (slot) => {
            served.push(name);
            slot.release('completed');
          },
          () => served.push(`${name} left`),
        ),
      };
    };
    const leaving = new AbortController();
    const first = wait('first', new AbortController().signal);
    const second = wait('second', leaving.signal);
    const third = wait('third', new AbortController().signal);
    // A fallback that first arrived before the third goes back ahead of it.
    const fallback = wait('fallback', new AbortController().signal, 1_002);
    expect([first, second, third, fallback].map((waiter) => waiter.ticket.position())).toEqual([1, 2, 4, 3]);
    leaving.abort(new Error('client left'));
    await second.done;
    running.release('completed');
    await Promise.all([first.done, third.done, fallback.done]);
    expect(served).toEqual(['second left', 'first', 'fallback', 'third']);
    scheduler.close();
  });
});
