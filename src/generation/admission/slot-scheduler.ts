import { providerUnavailableError, queueFullError, queueTimeoutError, shuttingDownError } from '../../errors/admission-errors.js';
import type { CancelSignal } from '../../lib/cancel-signal.js';
import { createMemorySlotStore, type SlotStore } from './slot-store.js';
import { TimingWindow } from './timing-window.js';
import { type WaitKind, WaitLedger } from './wait-ledger.js';
import { watchWait } from './wait-watch.js';
import { WaiterLine } from './waiter-line.js';

export interface SchedulerOptions {
  /** Non-stream requests that may wait per instance; undefined: the instance's concurrency. */
  maxWaiting?: number;
  /** Streams that may wait per instance. */
  maxStreamWaiting: number;
  /** Longest a request may wait for slots, in ms, all its attempts together. */
  maxWaitMs: number;
  store?: SlotStore;
  /** Whether an instance may take work (its circuit, an upstream retry delay); default: always. */
  gate?: InstanceGate;
  now?: () => number;
}

/**
 * What keeps an instance out for a while: its circuit breaker, an upstream
 * retry delay. The scheduler hands an instance's slot only to a request the
 * gate admits, and wakes its waiters when the gate reopens.
 */
export interface InstanceGate {
  isAvailable(instanceId: string): boolean;
  /** Claims the instance for a request about to run: `'probe'` when it is a half-open circuit's one probe; `'refused'`: not now. */
  admit(instanceId: string): 'refused' | 'admitted' | 'probe';
  /** Epoch ms from which it may take work; now or earlier when it may now, or when a running probe decides. */
  reopensAt(instanceId: string): number;
}

/** A taken slot. Release it exactly once when the upstream call ends. */
export interface Slot {
  readonly instanceId: string;
  /** How long the request waited for this slot, in ms. */
  readonly queueMs: number;
  /** Whether the gate admitted this request as its instance's probe: only the probe's outcome decides a half-open circuit. */
  readonly probe: boolean;
  release(outcome: 'completed' | 'failed' | 'aborted'): void;
}

export interface SlotRequest {
  /** Instances that can serve the request, in order of preference. */
  candidates: readonly string[];
  stream: boolean;
  signal: CancelSignal;
  /**
   * For a fallback after a failed attempt: when the request first joined the
   * queue. It was admitted then, so it is not refused for room now, and it
   * keeps its place in line among those who came after it.
   */
  arrivedAt?: number;
  /** Time already spent waiting by earlier attempts, in ms: it comes off `maxWaitMs`. */
  waitedMs?: number;
}

/** A place in the queue; `slot` settles when a slot is taken or the wait fails. */
export interface QueueTicket {
  readonly slot: Promise<Slot>;
  /** 0 when served; otherwise how many requests wait ahead, plus one. */
  position(): number;
}

export interface InstanceQueueStats {
  concurrency: number;
  active: number;
  /** Waiters counted against this instance's room: each waiter is counted on exactly one of its candidates. */
  waiting: { stream: number; nonStream: number };
  completed: number;
  failed: number;
  generationMs: { p50: number | null; p95: number | null };
  queueMs: { p50: number | null; p95: number | null };
  /** With the Redis store: every process's figures together (`active` and `waiting` above are this process's own). */
  global?: { active: number; waiting: { stream: number; nonStream: number } };
}

interface InstanceState {
  concurrency: number;
  completed: number;
  failed: number;
  generation: TimingWindow;
  queue: TimingWindow;
  /** Waiters that list this instance among their candidates (wherever their room is counted), in order. */
  line: WaiterLine<Waiter>;
  /** Waiters charged here that another of their candidates could take: zero means no refusal needs to look for one. */
  movable: Record<WaitKind, number>;
  /** Wakes this instance's waiters when its gate reopens; unref'd, and cleared when its last waiter leaves. */
  wake: ReturnType<typeof setTimeout> | undefined;
  wakeAt: number;
}

interface Waiter {
  request: SlotRequest;
  kind: WaitKind;
  /** When this wait began (for the slot's queueMs). */
  enqueuedAt: number;
  /** Its place in line: when the request first joined the queue. */
  arrivedAt: number;
  /** When its wait budget runs out. */
  deadlineAt: number;
  /** The candidate whose room it takes. */
  chargedTo: string;
  resolve(slot: Slot): void;
  reject(error: unknown): void;
  cleanup(): void;
  position: number;
  /** Left the queue (served, aborted, timed out): the lines drop it lazily. */
  gone: boolean;
}

const alwaysOpen: InstanceGate = { isAvailable: () => true, admit: () => 'admitted', reopensAt: () => 0 };

/**
 * Per-instance concurrency with one FIFO wait list across instances: a
 * request that several instances can serve takes the first slot that frees
 * on any of them, or on one whose cooldown ends while it waits. A waiter
 * takes room once, on the candidate with the most room left, so a request
 * that three instances can serve is refused (429 QUEUE_FULL, non-stream
 * only) only when all three have `maxWaiting` waiters; streams have room of
 * their own (`maxStreamWaiting`) and never take non-stream room. Every wait
 * ends: served, aborted, timed out, its instances out for longer than it
 * may wait, or shut down.
 *
 * p-limit has no way to take one aborted waiter out of its queue nor to
 * serve a waiter from whichever of several limiters frees first, so this
 * small scheduler does the counting itself.
 */
export class SlotScheduler {
  readonly #options: SchedulerOptions;
  readonly #store: SlotStore;
  readonly #gate: InstanceGate;
  readonly #now: () => number;
  readonly #instances = new Map<string, InstanceState>();
  readonly #ledger = new WaitLedger();
  /** Every waiter, in order: for positions and shutdown; each instance's own line serves its slots. */
  readonly #waiters = new WaiterLine<Waiter>();
  #positionsAt = -1;
  #positionsDirty = true;
  #closed = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#store = options.store ?? createMemorySlotStore();
    this.#gate = options.gate ?? alwaysOpen;
    this.#now = options.now ?? Date.now;
  }

  register(instanceId: string, concurrency: number): void {
    this.#instances.set(instanceId, {
      concurrency,
      completed: 0,
      failed: 0,
      generation: new TimingWindow(),
      queue: new TimingWindow(),
      line: new WaiterLine<Waiter>(),
      movable: { stream: 0, nonStream: 0 },
      wake: undefined,
      wakeAt: 0,
    });
    this.#ledger.register(instanceId, {
      nonStream: this.#options.maxWaiting ?? concurrency,
      stream: this.#options.maxStreamWaiting,
    });
  }

  /** Free slots of an instance right now (for load-aware routing); none while its gate is shut. */
  freeSlots(instanceId: string): number {
    const state = this.#instances.get(instanceId);
    if (!state || !this.#gate.isAvailable(instanceId)) return 0;
    return Math.max(0, state.concurrency - this.#store.active(instanceId));
  }

  /** Hands a slot freed outside this scheduler (its store counts slots held elsewhere) to the waiters. */
  wake(instanceId: string): void {
    this.#serve(instanceId);
  }

  /** Whether an instance reopens before a request that already waited `waitedMs` must stop waiting. */
  reopensInTime(instanceId: string, waitedMs: number): boolean {
    return this.#gate.reopensAt(instanceId) <= this.#now() + this.#options.maxWaitMs - waitedMs;
  }

  enqueue(request: SlotRequest): QueueTicket {
    const holder: { waiter?: Waiter } = {};
    const slot = this.#take(request, holder);
    return { slot, position: () => (holder.waiter ? this.#positionOf(holder.waiter) : 0) };
  }

  async #take(request: SlotRequest, holder: { waiter?: Waiter }): Promise<Slot> {
    if (this.#closed) throw shuttingDownError();
    if (request.signal.aborted) throw request.signal.reason;
    const startedAt = this.#now();
    for (const instanceId of request.candidates) {
      // Older waiters of a reopened instance whose wake-up has not run yet go first: a newcomer never overtakes them.
      if ((this.#instances.get(instanceId)?.line.size ?? 0) > 0) this.#serve(instanceId);
      const admission = this.#tryStart(instanceId);
      if (admission !== 'refused') return this.#slot(instanceId, startedAt, admission === 'probe');
    }
    const budget = this.#options.maxWaitMs - (request.waitedMs ?? 0);
    if (budget <= 0) throw queueTimeoutError(this.#options.maxWaitMs);
    const kind: WaitKind = request.stream ? 'stream' : 'nonStream';
    const fallback = request.arrivedAt !== undefined;
    const chargedTo =
      this.#ledger.charge(request.candidates, kind, fallback) ??
      (this.#makeRoom(request.candidates, kind) ? this.#ledger.charge(request.candidates, kind, false) : undefined);
    if (chargedTo === undefined) throw queueFullError(this.#retryAfterSeconds(request.candidates));
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = {
        request,
        kind,
        enqueuedAt: startedAt,
        arrivedAt: request.arrivedAt ?? startedAt,
        deadlineAt: startedAt + budget,
        chargedTo,
        position: 0,
        gone: false,
        resolve,
        reject,
        cleanup: () => {},
      };
      waiter.cleanup = watchWait(
        request.signal,
        budget,
        () => this.#drop(waiter, queueTimeoutError(this.#options.maxWaitMs)),
        () => this.#drop(waiter, request.signal.reason),
      );
      this.#insert(waiter, fallback);
      holder.waiter = waiter;
      // A candidate that is cooling down serves this waiter when it reopens.
      for (const instanceId of request.candidates) this.#wakeWhenOpen(instanceId);
    });
  }

  /**
   * Every candidate's room is taken, maybe by waiters that another of their
   * own candidates has room for (they came when it was full): moves one
   * there. Runs only on the way to a refusal, and looks through waiters only
   * when some are charged to a candidate and could go elsewhere.
   */
  #makeRoom(candidates: readonly string[], kind: WaitKind): boolean {
    const sources = candidates.filter((instanceId) => (this.#instances.get(instanceId)?.movable[kind] ?? 0) > 0);
    for (const instanceId of sources) {
      let moved = false;
      (this.#instances.get(instanceId) as InstanceState).line.forEach((waiter) => {
        if (moved || waiter.kind !== kind || waiter.chargedTo !== instanceId) return;
        const to = this.#ledger.move(waiter.chargedTo, waiter.request.candidates, kind);
        if (to === undefined) return;
        this.#countMovable(waiter, -1);
        waiter.chargedTo = to;
        this.#countMovable(waiter, 1);
        moved = true;
      });
      if (moved) return true;
    }
    return false;
  }

  #countMovable(waiter: Waiter, change: 1 | -1): void {
    if (waiter.request.candidates.length < 2) return;
    const state = this.#instances.get(waiter.chargedTo);
    if (state) state.movable[waiter.kind] += change;
  }

  /** Appends a newcomer; a fallback goes back to its place among those who came after it. */
  #insert(waiter: Waiter, fallback: boolean): void {
    waiter.position = this.#waiters.add(waiter, fallback);
    for (const instanceId of waiter.request.candidates) this.#instances.get(instanceId)?.line.add(waiter, fallback);
    this.#countMovable(waiter, 1);
    this.#positionsDirty = true;
  }

  /** Takes a slot of the instance when its gate is open and one is free; the gate's admission makes it the probe when half-open. */
  #tryStart(instanceId: string): 'refused' | 'admitted' | 'probe' {
    const state = this.#instances.get(instanceId);
    if (!state || !this.#gate.isAvailable(instanceId)) return 'refused';
    if (!this.#store.tryAcquire(instanceId, state.concurrency)) return 'refused';
    const admission = this.#gate.admit(instanceId);
    if (admission === 'refused') this.#store.release(instanceId);
    return admission;
  }

  /** Seconds until a slot is likely free: recent median generation time × queue depth per slot. */
  #retryAfterSeconds(candidates: readonly string[]): number {
    let best = Number.POSITIVE_INFINITY;
    for (const instanceId of candidates) {
      const state = this.#instances.get(instanceId);
      if (!state) continue;
      const typical = state.generation.percentile(0.5) ?? 5_000;
      const depth = Math.ceil(
        (this.#ledger.waiting(instanceId, 'stream') + this.#ledger.waiting(instanceId, 'nonStream') + 1) / state.concurrency,
      );
      best = Math.min(best, (typical * depth) / 1000);
    }
    return Number.isFinite(best) ? Math.max(1, Math.ceil(best)) : 1;
  }

  #slot(instanceId: string, enqueuedAt: number, probe: boolean): Slot {
    const takenAt = this.#now();
    const queueMs = takenAt - enqueuedAt;
    this.#instances.get(instanceId)?.queue.add(queueMs);
    let released = false;
    return {
      instanceId,
      queueMs,
      probe,
      release: (outcome) => {
        if (released) return;
        released = true;
        const state = this.#instances.get(instanceId);
        if (state) {
          if (outcome === 'completed') {
            state.completed += 1;
            state.generation.add(this.#now() - takenAt);
          } else if (outcome === 'failed') state.failed += 1;
        }
        this.#store.release(instanceId);
        this.#serve(instanceId);
      },
    };
  }

  /**
   * Hands free slots of `instanceId` to the first waiters that can use it,
   * as many as it has free (a probe that closed a circuit frees them all at
   * once). While its gate is shut, it waits for the gate to reopen instead.
   */
  #serve(instanceId: string): void {
    const state = this.#instances.get(instanceId);
    if (this.#closed || !state || state.line.size === 0) return;
    for (;;) {
      const waiter = state.line.first();
      if (!waiter) return;
      if (!this.#gate.isAvailable(instanceId)) {
        this.#wakeWhenOpen(instanceId);
        return;
      }
      const admission = this.#tryStart(instanceId);
      if (admission === 'refused') return;
      this.#leave(waiter);
      waiter.resolve(this.#slot(instanceId, waiter.enqueuedAt, admission === 'probe'));
    }
  }

  /**
   * Sets the instance's wake-up for when its gate reopens. A running probe
   * has no time: its release serves the waiters. When the reopening moved
   * later (a probe failed), the waiters that no candidate can reach in time
   * are answered now rather than at their timeout.
   */
  #wakeWhenOpen(instanceId: string): void {
    const state = this.#instances.get(instanceId);
    if (!state || this.#closed) return;
    const now = this.#now();
    const at = this.#gate.reopensAt(instanceId);
    if (at <= now || (state.wake !== undefined && state.wakeAt === at)) return;
    const later = at > state.wakeAt;
    if (state.wake !== undefined) clearTimeout(state.wake);
    state.wakeAt = at;
    state.wake = setTimeout(() => {
      state.wake = undefined;
      this.#serve(instanceId);
    }, at - now);
    // The waiters' own deadlines keep the process up while they wait; this wake-up alone must not.
    state.wake.unref?.();
    if (later) this.#dropUnreachable(instanceId);
  }

  #dropUnreachable(instanceId: string): void {
    const stranded: Waiter[] = [];
    this.#instances.get(instanceId)?.line.forEach((waiter) => {
      if (waiter.request.candidates.every((candidate) => this.#gate.reopensAt(candidate) > waiter.deadlineAt)) stranded.push(waiter);
    });
    for (const waiter of stranded) {
      const seconds = Math.max(
        1,
        Math.ceil((Math.min(...waiter.request.candidates.map((id) => this.#gate.reopensAt(id))) - this.#now()) / 1000),
      );
      this.#drop(waiter, providerUnavailableError('could serve this request is recovering from failures', seconds));
    }
  }

  #drop(waiter: Waiter, reason: unknown): void {
    if (waiter.gone) return;
    this.#leave(waiter);
    waiter.reject(reason);
  }

  #leave(waiter: Waiter): void {
    waiter.gone = true;
    this.#ledger.discharge(waiter.chargedTo, waiter.kind);
    this.#countMovable(waiter, -1);
    this.#waiters.removed();
    for (const instanceId of waiter.request.candidates) {
      const state = this.#instances.get(instanceId);
      if (!state) continue;
      state.line.removed();
      if (state.line.size === 0 && state.wake !== undefined) {
        clearTimeout(state.wake);
        state.wake = undefined;
      }
    }
    waiter.cleanup();
    waiter.position = 0;
    this.#positionsDirty = true;
  }

  /** Positions are recomputed at most every 250 ms: 10 000 waiting streams asking each second stay cheap. */
  #positionOf(waiter: Waiter): number {
    if (waiter.position === 0) return 0;
    const now = this.#now();
    if (this.#positionsDirty && now - this.#positionsAt >= 250) {
      this.#waiters.forEach((waiter, place) => {
        waiter.position = place;
      });
      this.#positionsAt = now;
      this.#positionsDirty = false;
    }
    return waiter.position;
  }

  /** Stops admitting and answers every waiter with 503 SHUTTING_DOWN. */
  close(): void {
    this.#closed = true;
    for (const state of this.#instances.values()) {
      if (state.wake !== undefined) clearTimeout(state.wake);
      state.wake = undefined;
    }
    // Swapped out and answered in one pass, with one error (it names no request): 40 000 waiting streams end at once.
    const error = shuttingDownError();
    for (const state of this.#instances.values()) state.line.drain();
    for (const waiter of this.#waiters.drain()) {
      waiter.gone = true;
      this.#ledger.discharge(waiter.chargedTo, waiter.kind);
      this.#countMovable(waiter, -1);
      waiter.cleanup();
      waiter.position = 0;
      waiter.reject(error);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  stats(): Record<string, InstanceQueueStats> {
    const result: Record<string, InstanceQueueStats> = {};
    for (const [instanceId, state] of this.#instances) {
      result[instanceId] = {
        concurrency: state.concurrency,
        active: this.#store.active(instanceId),
        waiting: { stream: this.#ledger.waiting(instanceId, 'stream'), nonStream: this.#ledger.waiting(instanceId, 'nonStream') },
        completed: state.completed,
        failed: state.failed,
        generationMs: { p50: state.generation.percentile(0.5) ?? null, p95: state.generation.percentile(0.95) ?? null },
        queueMs: { p50: state.queue.percentile(0.5) ?? null, p95: state.queue.percentile(0.95) ?? null },
      };
    }
    return result;
  }
}
