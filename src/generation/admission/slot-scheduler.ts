import { queueFullError, queueTimeoutError, shuttingDownError } from '../../errors/admission-errors.js';
import type { CancelSignal } from '../../lib/cancel-signal.js';
import { createMemorySlotStore, type SlotStore } from './slot-store.js';
import { TimingWindow } from './timing-window.js';

export interface SchedulerOptions {
  /** Non-stream requests that may wait per instance; undefined: the instance's concurrency. */
  maxWaiting?: number;
  /** Streams that may wait per instance. */
  maxStreamWaiting: number;
  /** Longest a request may wait for a slot, in ms. */
  maxWaitMs: number;
  store?: SlotStore;
  now?: () => number;
}

/** A taken slot. Release it exactly once when the upstream call ends. */
export interface Slot {
  readonly instanceId: string;
  /** How long the request waited for this slot, in ms. */
  readonly queueMs: number;
  release(outcome: 'completed' | 'failed' | 'aborted'): void;
}

export interface SlotRequest {
  /** Instances that can serve the request, in order of preference. */
  candidates: readonly string[];
  stream: boolean;
  signal: CancelSignal;
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
  waiting: { stream: number; nonStream: number };
  completed: number;
  failed: number;
  generationMs: { p50: number | null; p95: number | null };
  queueMs: { p50: number | null; p95: number | null };
}

interface InstanceState {
  concurrency: number;
  waitingStream: number;
  waitingNonStream: number;
  completed: number;
  failed: number;
  generation: TimingWindow;
  queue: TimingWindow;
}

interface Waiter {
  request: SlotRequest;
  enqueuedAt: number;
  resolve(slot: Slot): void;
  reject(error: unknown): void;
  cleanup(): void;
  position: number;
}

/**
 * Per-instance concurrency with one FIFO wait list across instances: a
 * request that several instances can serve takes the first slot that frees
 * on any of them. Non-stream requests are refused (429 QUEUE_FULL) when
 * every candidate already has `maxWaiting` waiters; streams wait up to a
 * high safety cap. Every wait ends: served, aborted, timed out or shut down.
 *
 * p-limit has no way to take one aborted waiter out of its queue nor to
 * serve a waiter from whichever of several limiters frees first, so this
 * small scheduler does the counting itself.
 */
export class SlotScheduler {
  readonly #options: SchedulerOptions;
  readonly #store: SlotStore;
  readonly #now: () => number;
  readonly #instances = new Map<string, InstanceState>();
  readonly #waiters: Waiter[] = [];
  #positionsAt = -1;
  #positionsDirty = true;
  #closed = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#store = options.store ?? createMemorySlotStore();
    this.#now = options.now ?? Date.now;
  }

  register(instanceId: string, concurrency: number): void {
    this.#instances.set(instanceId, {
      concurrency,
      waitingStream: 0,
      waitingNonStream: 0,
      completed: 0,
      failed: 0,
      generation: new TimingWindow(),
      queue: new TimingWindow(),
    });
  }

  /** Free slots of an instance right now (for load-aware routing). */
  freeSlots(instanceId: string): number {
    const state = this.#instances.get(instanceId);
    return state ? Math.max(0, state.concurrency - this.#store.active(instanceId)) : 0;
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
      const state = this.#instances.get(instanceId);
      if (state && this.#store.tryAcquire(instanceId, state.concurrency)) return this.#slot(instanceId, startedAt);
    }
    this.#admit(request);
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = {
        request,
        enqueuedAt: startedAt,
        position: this.#waiters.length + 1,
        resolve,
        reject,
        cleanup: () => {},
      };
      const timer = setTimeout(() => this.#drop(waiter, queueTimeoutError(this.#options.maxWaitMs)), this.#options.maxWaitMs);
      const onAbort = () => this.#drop(waiter, request.signal.reason);
      request.signal.addEventListener('abort', onAbort, { once: true });
      waiter.cleanup = () => {
        clearTimeout(timer);
        request.signal.removeEventListener('abort', onAbort);
      };
      this.#waiters.push(waiter);
      this.#count(waiter, +1);
      holder.waiter = waiter;
      this.#positionsDirty = true;
    });
  }

  #admit(request: SlotRequest): void {
    const states = request.candidates.map((id) => this.#instances.get(id)).filter((state) => state !== undefined);
    const room = states.some((state) =>
      request.stream
        ? state.waitingStream < this.#options.maxStreamWaiting
        : state.waitingStream + state.waitingNonStream < (this.#options.maxWaiting ?? state.concurrency),
    );
    if (!room) throw queueFullError(this.#retryAfterSeconds(states));
  }

  /** Seconds until a slot is likely free: recent median generation time × queue depth per slot. */
  #retryAfterSeconds(states: InstanceState[]): number {
    let best = Number.POSITIVE_INFINITY;
    for (const state of states) {
      const typical = state.generation.percentile(0.5) ?? 5_000;
      const depth = Math.ceil((state.waitingStream + state.waitingNonStream + 1) / state.concurrency);
      best = Math.min(best, (typical * depth) / 1000);
    }
    return Number.isFinite(best) ? Math.max(1, Math.ceil(best)) : 1;
  }

  #slot(instanceId: string, enqueuedAt: number): Slot {
    const takenAt = this.#now();
    const queueMs = takenAt - enqueuedAt;
    this.#instances.get(instanceId)?.queue.add(queueMs);
    let released = false;
    return {
      instanceId,
      queueMs,
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

  /** Hands a freed slot of `instanceId` to the first waiter that can use it. */
  #serve(instanceId: string): void {
    const state = this.#instances.get(instanceId);
    if (!state) return;
    const index = this.#waiters.findIndex((waiter) => waiter.request.candidates.includes(instanceId));
    if (index === -1) return;
    if (!this.#store.tryAcquire(instanceId, state.concurrency)) return;
    const [waiter] = this.#waiters.splice(index, 1);
    if (!waiter) return;
    this.#count(waiter, -1);
    waiter.cleanup();
    waiter.position = 0;
    this.#positionsDirty = true;
    waiter.resolve(this.#slot(instanceId, waiter.enqueuedAt));
  }

  #drop(waiter: Waiter, reason: unknown): void {
    const index = this.#waiters.indexOf(waiter);
    if (index === -1) return;
    this.#waiters.splice(index, 1);
    this.#count(waiter, -1);
    waiter.cleanup();
    waiter.position = 0;
    this.#positionsDirty = true;
    waiter.reject(reason);
  }

  #count(waiter: Waiter, delta: number): void {
    for (const instanceId of waiter.request.candidates) {
      const state = this.#instances.get(instanceId);
      if (!state) continue;
      if (waiter.request.stream) state.waitingStream += delta;
      else state.waitingNonStream += delta;
    }
  }

  /** Positions are recomputed at most every 250 ms: 10 000 waiting streams asking each second stay cheap. */
  #positionOf(waiter: Waiter): number {
    if (waiter.position === 0) return 0;
    const now = this.#now();
    if (this.#positionsDirty && now - this.#positionsAt >= 250) {
      this.#waiters.forEach((waiter, index) => {
        waiter.position = index + 1;
      });
      this.#positionsAt = now;
      this.#positionsDirty = false;
    }
    return waiter.position;
  }

  /** Stops admitting and answers every waiter with 503 SHUTTING_DOWN. */
  close(): void {
    this.#closed = true;
    for (const waiter of [...this.#waiters]) this.#drop(waiter, shuttingDownError());
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
        waiting: { stream: state.waitingStream, nonStream: state.waitingNonStream },
        completed: state.completed,
        failed: state.failed,
        generationMs: { p50: state.generation.percentile(0.5) ?? null, p95: state.generation.percentile(0.95) ?? null },
        queueMs: { p50: state.queue.percentile(0.5) ?? null, p95: state.queue.percentile(0.95) ?? null },
      };
    }
    return result;
  }
}
