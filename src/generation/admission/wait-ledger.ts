export type WaitKind = 'stream' | 'nonStream';

interface Room {
  limits: Record<WaitKind, number>;
  waiting: Record<WaitKind, number>;
}

/**
 * Who takes which instance's waiting room. Each waiter is counted once, on
 * the one candidate that has the most room left for its kind, so the room
 * of a request that several instances can serve is the sum of theirs, and
 * `stats()` counts every waiter once. Streams and non-stream requests have
 * separate rooms: a waiting stream never takes non-stream room.
 *
 * Each decision is one call over plain counters, the shape a shared store
 * (one Lua script per decision) can make atomically across processes.
 *
 * @example
 * const ledger = new WaitLedger();
 * ledger.register('a', { nonStream: 10, stream: 10_000 });
 * const chargedTo = ledger.charge(['a', 'b'], 'nonStream', false); // 'a', or undefined when full
 * if (chargedTo) ledger.discharge(chargedTo, 'nonStream');
 */
export class WaitLedger {
  readonly #rooms = new Map<string, Room>();

  register(instanceId: string, limits: Record<WaitKind, number>): void {
    this.#rooms.set(instanceId, { limits, waiting: { stream: 0, nonStream: 0 } });
  }

  /**
   * Counts one waiter of `kind` on the candidate with the most room left and
   * returns it; undefined when every candidate is full. `regardlessOfRoom`
   * (a fallback, admitted once already) counts it even then.
   */
  charge(candidates: readonly string[], kind: WaitKind, regardlessOfRoom: boolean): string | undefined {
    let best: string | undefined;
    let bestRoom = Number.NEGATIVE_INFINITY;
    for (const instanceId of candidates) {
      const room = this.#rooms.get(instanceId);
      if (!room) continue;
      const left = room.limits[kind] - room.waiting[kind];
      if (left > bestRoom) {
        best = instanceId;
        bestRoom = left;
      }
    }
    if (best === undefined || (bestRoom <= 0 && !regardlessOfRoom)) return undefined;
    (this.#rooms.get(best) as Room).waiting[kind] += 1;
    return best;
  }

  /**
   * Moves one waiter's place from `from` to another of its `candidates` with
   * room left (the most), to make room on `from`; returns where it went, or
   * undefined when none of them has room.
   */
  move(from: string, candidates: readonly string[], kind: WaitKind): string | undefined {
    let best: Room | undefined;
    let bestId: string | undefined;
    for (const instanceId of candidates) {
      const room = this.#rooms.get(instanceId);
      if (!room || instanceId === from) continue;
      if (room.limits[kind] - room.waiting[kind] > (best ? best.limits[kind] - best.waiting[kind] : 0)) {
        best = room;
        bestId = instanceId;
      }
    }
    const source = this.#rooms.get(from);
    if (!best || !source) return undefined;
    source.waiting[kind] -= 1;
    best.waiting[kind] += 1;
    return bestId;
  }

  discharge(instanceId: string, kind: WaitKind): void {
    const room = this.#rooms.get(instanceId);
    if (room && room.waiting[kind] > 0) room.waiting[kind] -= 1;
  }

  waiting(instanceId: string, kind: WaitKind): number {
    return this.#rooms.get(instanceId)?.waiting[kind] ?? 0;
  }
}
