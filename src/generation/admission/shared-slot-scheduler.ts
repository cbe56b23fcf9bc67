import type { Cluster, Redis } from 'ioredis';
import { queueFullError, queueTimeoutError, shuttingDownError } from '../../errors/admission-errors.js';
import { storeUnavailableError } from '../../errors/store-errors.js';
import { randomHex } from '../../lib/random-hex.js';
import { RedisScript } from '../../store/redis/redis-script.js';
import type { AdmissionScheduler } from './admission-scheduler.js';
import { admitScript, heartbeatScript, leaveScript, releaseScript, retryScript } from './shared-admission-scripts.js';
import {
  type InstanceGate,
  type InstanceQueueStats,
  type QueueTicket,
  type SchedulerOptions,
  type Slot,
  type SlotRequest,
  SlotScheduler,
} from './slot-scheduler.js';
import { createMemorySlotStore, type SlotStore } from './slot-store.js';
import { TimingWindow } from './timing-window.js';
import type { WaitKind } from './wait-ledger.js';
import { watchWait } from './wait-watch.js';
import { WaiterLine } from './waiter-line.js';

/**
 * What shared admission needs of the Redis connection; the store's
 * `RedisLink` is one.
 */
export interface SharedAdmissionLink {
  readonly client: Redis | Cluster;
  /** A key under the gateway's prefix and hash tag. */
  key(...parts: string[]): string;
  /** The connection for SUBSCRIBE. */
  subscriber(): Redis | Cluster;
  readonly reachable: boolean;
  onReachability(listener: (reachable: boolean) => void): () => void;
  /** While unreachable: refuse new work (503 STORE_UNAVAILABLE), or use this process's own limits. */
  readonly onUnavailable: 'failClosed' | 'local';
  /** How long a slot lease or a waiter's place lasts without renewal, in ms. */
  readonly leaseMs: number;
}

export interface SharedSchedulerOptions extends SchedulerOptions {
  link: SharedAdmissionLink;
  /** How often a process with waiters asks again for its oldest one of each instance, should a wake-up be lost; default 300 ms. */
  pollMs?: number;
}

interface SubscriberClient {
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  removeListener(event: 'message', listener: (channel: string, message: string) => void): unknown;
}

const scripts = {
  admit: new RedisScript(admitScript),
  retry: new RedisScript(retryScript),
  leave: new RedisScript(leaveScript),
  release: new RedisScript(releaseScript),
  heartbeat: new RedisScript(heartbeatScript),
};

interface SharedInstance {
  readonly id: string;
  /** Its place (from 1) in the heartbeat's key list. */
  readonly index: number;
  readonly concurrency: number;
  readonly rooms: Record<WaitKind, number>;
  readonly slotsKey: string;
  readonly lineKey: string;
  readonly roomKeys: Record<WaitKind, string>;
  completed: number;
  failed: number;
  readonly generation: TimingWindow;
  readonly queue: TimingWindow;
  /** The leases this process holds here, renewed by its heartbeat. */
  readonly leases: Set<string>;
  /** This process's waiters that list this instance, oldest first. */
  readonly line: WaiterLine<SharedWaiter>;
  /** This process's waiters whose room is counted here. */
  readonly charged: Record<WaitKind, number>;
  /** Every process's figures, as last seen. */
  readonly global: { active: number; stream: number; nonStream: number };
  /** An ask for this instance's waiters is on its way: a second one only marks that it must run again. */
  asking: boolean;
  askAgain: boolean;
}

interface TicketHolder {
  waiter?: SharedWaiter;
  /** The memory scheduler's ticket, when the request went there (the store was unreachable and `onUnavailable` is 'local'). */
  delegate?: QueueTicket;
}

interface SharedWaiter {
  /** Its id in Redis, and its lease's when served. */
  readonly id: string;
  readonly request: SlotRequest;
  readonly kind: WaitKind;
  readonly holder: TicketHolder;
  readonly enqueuedAt: number;
  /** When the request first joined the queue (local clock): orders the local lines. */
  readonly arrivedAt: number;
  /** Its order in the shared lines (Redis's clock, µs): kept when it must join again. */
  order: string;
  chargedTo: SharedInstance;
  position: number;
  gone: boolean;
  /** A retry for it is on its way (it may be the oldest of several instances). */
  asking: boolean;
  resolve(slot: Slot): void;
  reject(error: unknown): void;
  cleanup(): void;
}

const kindCode = (kind: WaitKind) => (kind === 'stream' ? 's' : 'n');
const alwaysOpen: InstanceGate = { isAvailable: () => true, admit: () => 'admitted', reopensAt: () => 0 };

/**
 * Slots and the wait list on Redis, shared by every gateway process on it:
 * per instance one concurrency and one FIFO across processes, with the
 * memory scheduler's rules (non-stream room `maxWaiting` → 429 QUEUE_FULL,
 * streams wait up to `maxStreamWaiting`, counted on every process). A slot
 * is a lease that this process renews while the generation runs, so a
 * process that dies gives its slots back within `leaseMs`; a waiter's place
 * is renewed the same way. A freed slot is published to every process,
 * whose oldest waiter asks for it; each process with waiters also asks every
 * `pollMs`, so a lost message only delays a waiter. Each decision (admit,
 * ask, leave, release) is one Lua script: one round trip.
 *
 * While Redis is unreachable, `onUnavailable: 'failClosed'` answers new
 * requests and waiters with 503 STORE_UNAVAILABLE (leases already held keep
 * running); `'local'` admits through a memory scheduler (this process's own
 * limits) until Redis is back. Circuits are read from the local gate.
 *
 * @example
 * const scheduler = new SharedSlotScheduler({ link, maxStreamWaiting: 10_000, maxWaitMs: 120_000, gate: health });
 * scheduler.register('gemini', 2);
 */
export class SharedSlotScheduler implements AdmissionScheduler {
  readonly #options: SharedSchedulerOptions;
  readonly #link: SharedAdmissionLink;
  readonly #gate: InstanceGate;
  readonly #now: () => number;
  readonly #instances = new Map<string, SharedInstance>();
  /** This process's own limits, for when Redis is unreachable and `onUnavailable` is 'local'. */
  readonly #memory: SlotScheduler;
  readonly #waitersKey: string;
  readonly #infoKey: string;
  readonly #channel: string;
  readonly #leaseMs: number;
  #waiting = 0;
  /** This process's waiters by id: a newcomer on any process may move one's room to another of its instances. */
  readonly #byId = new Map<string, SharedWaiter>();
  #roomsWritten = false;
  #poll: ReturnType<typeof setInterval> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #subscribed: SubscriberClient | undefined;
  readonly #stopFollowing: () => void;
  #closed = false;

  constructor(options: SharedSchedulerOptions) {
    this.#options = options;
    this.#link = options.link;
    this.#gate = options.gate ?? alwaysOpen;
    this.#now = options.now ?? Date.now;
    this.#leaseMs = options.link.leaseMs;
    this.#memory = new SlotScheduler({
      maxWaiting: options.maxWaiting,
      maxStreamWaiting: options.maxStreamWaiting,
      maxWaitMs: options.maxWaitMs,
      gate: options.gate,
      now: options.now,
      store: this.#localSlots(),
    });
    this.#waitersKey = this.#link.key('admission', 'waiters');
    this.#infoKey = this.#link.key('admission', 'waiter-info');
    this.#channel = this.#link.key('admission', 'freed');
    this.#stopFollowing = this.#link.onReachability((reachable) => this.#onReachability(reachable));
    if (this.#link.reachable) this.#subscribe();
    // Renews this process's leases and places; also keeps the global figures of stats() fresh.
    this.#heartbeat = setInterval(() => void this.#beat(), Math.max(100, Math.floor(this.#leaseMs / 3)));
    this.#heartbeat.unref?.();
  }

  /** This process's own slot counts for 'local' mode: the shared leases it still holds count against its limit. */
  #localSlots(): SlotStore {
    const counts = createMemorySlotStore();
    const held = (instanceId: string) => this.#instances.get(instanceId)?.leases.size ?? 0;
    return {
      tryAcquire: (instanceId, limit) => counts.tryAcquire(instanceId, limit - held(instanceId)),
      release: (instanceId) => counts.release(instanceId),
      active: (instanceId) => counts.active(instanceId),
    };
  }

  register(instanceId: string, concurrency: number): void {
    this.#memory.register(instanceId, concurrency);
    const key = (part: string) => this.#link.key('admission', instanceId, part);
    this.#instances.set(instanceId, {
      id: instanceId,
      index: this.#instances.size + 1,
      concurrency,
      rooms: { nonStream: this.#options.maxWaiting ?? concurrency, stream: this.#options.maxStreamWaiting },
      slotsKey: key('slots'),
      lineKey: key('line'),
      roomKeys: { nonStream: key('room:n'), stream: key('room:s') },
      completed: 0,
      failed: 0,
      generation: new TimingWindow(),
      queue: new TimingWindow(),
      leases: new Set(),
      line: new WaiterLine<SharedWaiter>(),
      charged: { stream: 0, nonStream: 0 },
      global: { active: 0, stream: 0, nonStream: 0 },
      asking: false,
      askAgain: false,
    });
    this.#writeRooms();
  }

  /**
   * Loads the scripts and writes every instance's room limits to Redis, once
   * the instances are registered and again on each reconnection: a newcomer
   * that finds its candidates full may move a waiter to another of that
   * waiter's instances, and must know how much room that one has.
   */
  #writeRooms(): void {
    if (this.#roomsWritten) return;
    this.#roomsWritten = true;
    queueMicrotask(() => {
      this.#roomsWritten = false;
      if (!this.#link.reachable || this.#closed) return;
      // Loaded before any of them runs: a script's first EVALSHA would fail NOSCRIPT and its EVAL go out after later commands.
      for (const script of Object.values(scripts)) this.#link.client.script('LOAD', script.source).catch(() => {});
      const limits: (string | number)[] = [];
      for (const instance of this.#instances.values()) {
        limits.push(instance.roomKeys.nonStream, instance.rooms.nonStream, instance.roomKeys.stream, instance.rooms.stream);
      }
      this.#link.client.hset(this.#link.key('admission', 'rooms'), ...limits).catch(() => {
        // Written again on reconnection; meanwhile a full instance makes no room by moving waiters.
      });
    });
  }

  freeSlots(instanceId: string): number {
    if (this.#local) return this.#memory.freeSlots(instanceId);
    const instance = this.#instances.get(instanceId);
    if (!instance || !this.#gate.isAvailable(instanceId)) return 0;
    return Math.max(0, instance.concurrency - instance.global.active);
  }

  reopensInTime(instanceId: string, waitedMs: number): boolean {
    return this.#memory.reopensInTime(instanceId, waitedMs);
  }

  enqueue(request: SlotRequest): QueueTicket {
    if (this.#local && !this.#closed) return this.#memory.enqueue(request);
    const holder: TicketHolder = {};
    const slot = this.#take(request, holder);
    return {
      slot,
      position: () => {
        if (holder.delegate) return holder.delegate.position();
        const waiter = holder.waiter;
        return waiter && !waiter.gone ? waiter.position : 0;
      },
    };
  }

  /** Redis is out of reach and the failure mode is 'local': this process's own limits apply. */
  get #local(): boolean {
    return !this.#link.reachable && this.#link.onUnavailable === 'local';
  }

  async #take(request: SlotRequest, holder: TicketHolder): Promise<Slot> {
    if (this.#closed) throw shuttingDownError();
    if (request.signal.aborted) throw request.signal.reason;
    if (!this.#link.reachable) return this.#withoutStore(request, holder);
    const startedAt = this.#now();
    const candidates: SharedInstance[] = [];
    for (const instanceId of request.candidates) {
      const instance = this.#instances.get(instanceId);
      if (instance) candidates.push(instance);
    }
    const budget = this.#options.maxWaitMs - (request.waitedMs ?? 0);
    const kind: WaitKind = request.stream ? 'stream' : 'nonStream';
    const fallback = request.arrivedAt !== undefined;
    const id = randomHex(20);
    const order = fallback ? String(Math.round((request.arrivedAt as number) * 1000)) : '';
    const room = budget <= 0 ? '-' : fallback ? '1' : '0';
    // An instance whose gate refused the slot it was about to get (its half-open circuit's probe went to another request) is shut for the next round.
    let refused: Set<SharedInstance> | undefined;
    for (;;) {
      let answer: unknown[];
      try {
        answer = (await scripts.admit.run(
          this.#client,
          this.#admitKeys(candidates),
          this.#admitArgs(id, kind, order, room, candidates, refused),
        )) as unknown[];
      } catch {
        return this.#withoutStore(request, holder);
      }
      const outcome = answer[0];
      this.#noteFigures(candidates, answer);
      if (outcome === 'slot') {
        const instance = candidates[Number(answer[1]) - 1] as SharedInstance;
        const admission = this.#gate.admit(instance.id);
        if (admission === 'refused') {
          this.#giveBack(instance, id);
          refused ??= new Set();
          refused.add(instance);
          continue;
        }
        return this.#slot(instance, id, startedAt, admission === 'probe');
      }
      if (outcome === 'full') throw queueFullError(this.#retryAfterSeconds(candidates));
      if (outcome === 'timeout') throw queueTimeoutError(this.#options.maxWaitMs);
      return this.#wait(request, holder, candidates, answer, id, kind, startedAt, budget);
    }
  }

  /** The store could not be reached: this process's own limits ('local'), or 503 STORE_UNAVAILABLE. */
  #withoutStore(request: SlotRequest, holder: TicketHolder): Promise<Slot> {
    if (this.#link.onUnavailable !== 'local') throw storeUnavailableError();
    const ticket = this.#memory.enqueue(request);
    holder.delegate = ticket;
    return ticket.slot;
  }

  /** A newcomer made room by moving a waiter to another of its instances: when that waiter is this process's, its count moves too. */
  #noteMove(answer: unknown[], candidateCount: number): void {
    const at = 4 + 3 * candidateCount;
    if (answer.length <= at) return;
    const waiter = this.#byId.get(String(answer[at]));
    if (!waiter || waiter.gone) return;
    for (const instance of this.#instances.values()) {
      if (instance.roomKeys[waiter.kind] !== answer[at + 1]) continue;
      waiter.chargedTo.charged[waiter.kind] -= 1;
      instance.charged[waiter.kind] += 1;
      waiter.chargedTo = instance;
      return;
    }
  }

  #wait(
    request: SlotRequest,
    holder: TicketHolder,
    candidates: SharedInstance[],
    answer: unknown[],
    id: string,
    kind: WaitKind,
    startedAt: number,
    budget: number,
  ): Promise<Slot> {
    const chargedTo = candidates[Number(answer[1]) - 1] as SharedInstance;
    this.#noteMove(answer, candidates.length);
    if (this.#closed || request.signal.aborted) {
      this.#forget(id);
      throw this.#closed ? shuttingDownError() : request.signal.reason;
    }
    return new Promise<Slot>((resolve, reject) => {
      const waiter: SharedWaiter = {
        id,
        request,
        kind,
        holder,
        enqueuedAt: startedAt,
        arrivedAt: request.arrivedAt ?? startedAt,
        order: String(answer[2]),
        chargedTo,
        position: Number(answer[3]),
        gone: false,
        asking: false,
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
      const fallback = request.arrivedAt !== undefined;
      for (const instance of candidates) instance.line.add(waiter, fallback);
      chargedTo.charged[kind] += 1;
      holder.waiter = waiter;
      this.#byId.set(id, waiter);
      this.#waiting += 1;
      this.#startPolling();
    });
  }

  /** Asks for slots for this instance's oldest waiters of this process, for as long as they get one. */
  async #ask(instance: SharedInstance): Promise<void> {
    if (instance.asking) {
      instance.askAgain = true;
      return;
    }
    instance.asking = true;
    try {
      do {
        instance.askAgain = false;
        for (;;) {
          if (this.#closed || !this.#link.reachable || !this.#gate.isAvailable(instance.id)) return;
          const waiter = instance.line.first();
          // The oldest asks for itself elsewhere: its answer comes back here through the poll.
          if (!waiter || waiter.asking) return;
          if (!(await this.#retry(waiter))) break;
        }
      } while (instance.askAgain);
    } finally {
      instance.asking = false;
    }
  }

  /** One waiter asks for a slot on any of its open candidates; true when it was served (or left meanwhile). */
  async #retry(waiter: SharedWaiter): Promise<boolean> {
    const candidates = this.#candidatesOf(waiter);
    const keys = [this.#waitersKey, this.#infoKey];
    const args: (string | number)[] = [waiter.id, this.#leaseMs];
    for (const instance of candidates) {
      keys.push(instance.slotsKey, instance.lineKey);
      args.push(instance.concurrency, this.#gate.isAvailable(instance.id) ? '1' : '0');
    }
    let answer: unknown[];
    waiter.asking = true;
    try {
      answer = (await scripts.retry.run(this.#client, keys, args)) as unknown[];
    } catch {
      return false;
    } finally {
      waiter.asking = false;
    }
    if (answer[0] === 'slot') {
      const instance = candidates[Number(answer[1]) - 1] as SharedInstance;
      instance.global.active = Number(answer[2]);
      // It left while the answer was on its way: the slot goes back at once.
      if (waiter.gone) {
        this.#giveBack(instance, waiter.id);
        return true;
      }
      const admission = this.#gate.admit(instance.id);
      if (admission === 'refused') {
        this.#giveBack(instance, waiter.id);
        await this.#rejoin(waiter, candidates);
        return false;
      }
      this.#leave(waiter);
      waiter.resolve(this.#slot(instance, waiter.id, waiter.enqueuedAt, admission === 'probe'));
      return true;
    }
    if (answer[0] === 'gone') {
      // Its place expired (this process was too slow to renew it): it joins again at its old order.
      if (!waiter.gone) await this.#rejoin(waiter, candidates);
      return false;
    }
    waiter.position = Number(answer[1]);
    return false;
  }

  /** Puts a waiter back in the shared lines at its own order, regardless of room (it was admitted before). */
  async #rejoin(waiter: SharedWaiter, candidates: SharedInstance[]): Promise<void> {
    const args = this.#admitArgs(waiter.id, waiter.kind, waiter.order, '1', candidates);
    // Only a place: the next ask serves it in order.
    for (let index = 0; index < candidates.length; index += 1) args[8 + 4 * index] = '0';
    try {
      const answer = (await scripts.admit.run(this.#client, this.#admitKeys(candidates), args)) as unknown[];
      if (answer[0] !== 'queued' || waiter.gone) return;
      const chargedTo = candidates[Number(answer[1]) - 1] as SharedInstance;
      this.#noteMove(answer, candidates.length);
      waiter.chargedTo.charged[waiter.kind] -= 1;
      chargedTo.charged[waiter.kind] += 1;
      waiter.chargedTo = chargedTo;
    } catch {
      // The next poll asks again; the store's reachability decides what becomes of it.
    }
  }

  #candidatesOf(waiter: SharedWaiter): SharedInstance[] {
    const candidates: SharedInstance[] = [];
    for (const instanceId of waiter.request.candidates) {
      const instance = this.#instances.get(instanceId);
      if (instance) candidates.push(instance);
    }
    return candidates;
  }

  #admitKeys(candidates: readonly SharedInstance[]): string[] {
    const keys = [this.#waitersKey, this.#infoKey];
    for (const instance of candidates)
      keys.push(instance.slotsKey, instance.lineKey, instance.roomKeys.nonStream, instance.roomKeys.stream);
    return keys;
  }

  #admitArgs(
    id: string,
    kind: WaitKind,
    order: string,
    room: string,
    candidates: readonly SharedInstance[],
    refused?: ReadonlySet<SharedInstance>,
  ): (string | number)[] {
    const args: (string | number)[] = [id, kindCode(kind), this.#leaseMs, order, room];
    for (const instance of candidates) {
      const open = !refused?.has(instance) && this.#gate.isAvailable(instance.id);
      args.push(instance.concurrency, instance.rooms.nonStream, instance.rooms.stream, open ? '1' : '0');
    }
    return args;
  }

  #slot(instance: SharedInstance, leaseId: string, enqueuedAt: number, probe: boolean): Slot {
    const takenAt = this.#now();
    const queueMs = takenAt - enqueuedAt;
    instance.queue.add(queueMs);
    instance.leases.add(leaseId);
    let released = false;
    return {
      instanceId: instance.id,
      queueMs,
      probe,
      release: (outcome) => {
        if (released) return;
        released = true;
        if (outcome === 'completed') {
          instance.completed += 1;
          instance.generation.add(this.#now() - takenAt);
        } else if (outcome === 'failed') instance.failed += 1;
        instance.leases.delete(leaseId);
        this.#giveBack(instance, leaseId);
        // In 'local' mode this lease counted against this process's own limit: its waiters may go now.
        if (!this.#link.reachable) this.#memory.wake(instance.id);
      },
    };
  }

  /** Releases a lease; then this process's own oldest waiter asks at once (the others hear it on the channel). */
  #giveBack(instance: SharedInstance, leaseId: string): void {
    instance.global.active = Math.max(0, instance.global.active - 1);
    if (!this.#link.reachable) return; // It expires by itself.
    scripts.release.run(this.#client, [instance.slotsKey, instance.lineKey], [leaseId, this.#channel, instance.id]).then(
      () => {
        if (instance.line.size > 0) void this.#ask(instance);
      },
      () => {
        // Unreachable meanwhile: the lease expires within leaseMs.
      },
    );
  }

  #drop(waiter: SharedWaiter, reason: unknown): void {
    if (waiter.gone) return;
    this.#leave(waiter);
    this.#forget(waiter.id);
    waiter.reject(reason);
  }

  /** Takes a waiter out of the shared lists; when that fails, its place expires. */
  #forget(id: string): void {
    if (!this.#link.reachable) return;
    scripts.leave.run(this.#client, [this.#waitersKey, this.#infoKey], [id]).catch(() => {
      // Its place expires within leaseMs.
    });
  }

  /** Takes a waiter out of this process's lines. */
  #leave(waiter: SharedWaiter): void {
    waiter.gone = true;
    this.#byId.delete(waiter.id);
    waiter.chargedTo.charged[waiter.kind] -= 1;
    for (const instance of this.#candidatesOf(waiter)) instance.line.removed();
    waiter.cleanup();
    waiter.position = 0;
    this.#waiting -= 1;
    if (this.#waiting === 0 && this.#poll !== undefined) {
      clearInterval(this.#poll);
      this.#poll = undefined;
    }
  }

  #startPolling(): void {
    if (this.#poll !== undefined) return;
    this.#poll = setInterval(() => {
      for (const instance of this.#instances.values()) if (instance.line.size > 0) void this.#ask(instance);
    }, this.#options.pollMs ?? 300);
    // The waiters' own deadlines keep the process up while they wait; the poll alone must not.
    this.#poll.unref?.();
  }

  #localWaiters(): SharedWaiter[] {
    const waiters = new Set<SharedWaiter>();
    for (const instance of this.#instances.values()) {
      instance.line.forEach((waiter) => {
        waiters.add(waiter);
      });
    }
    return [...waiters];
  }

  #onReachability(reachable: boolean): void {
    if (reachable) {
      this.#subscribe();
      this.#writeRooms();
      void this.#beat();
      for (const instance of this.#instances.values()) if (instance.line.size > 0) void this.#ask(instance);
      return;
    }
    const waiters = this.#localWaiters();
    if (this.#link.onUnavailable !== 'local') {
      const error = storeUnavailableError();
      for (const waiter of waiters) {
        if (waiter.gone) continue;
        this.#leave(waiter);
        waiter.reject(error);
      }
      return;
    }
    // 'local': they wait on in this process's own queue, keeping their order and what is left of their wait.
    for (const waiter of waiters) {
      if (waiter.gone) continue;
      const waitedMs = (waiter.request.waitedMs ?? 0) + this.#now() - waiter.enqueuedAt;
      this.#leave(waiter);
      const ticket = this.#memory.enqueue({
        candidates: waiter.request.candidates,
        stream: waiter.request.stream,
        signal: waiter.request.signal,
        arrivedAt: waiter.arrivedAt,
        waitedMs,
      });
      waiter.holder.delegate = ticket;
      ticket.slot.then(waiter.resolve, waiter.reject);
    }
  }

  #subscribe(): void {
    if (this.#subscribed || this.#closed) return;
    const subscriber = this.#link.subscriber() as unknown as SubscriberClient;
    this.#subscribed = subscriber;
    subscriber.on('message', this.#onMessage);
    subscriber.subscribe(this.#channel).then(
      () => {
        // A slot freed before the subscription was in place sent a message nobody heard: look once now.
        for (const instance of this.#instances.values()) if (instance.line.size > 0) void this.#ask(instance);
      },
      () => {
        // It re-subscribes on reconnection; meanwhile the poll serves the waiters.
      },
    );
  }

  readonly #onMessage = (channel: string, instanceId: string): void => {
    if (channel !== this.#channel) return;
    const instance = this.#instances.get(instanceId);
    if (instance && instance.line.size > 0) void this.#ask(instance);
  };

  /** Renews this process's leases and places, and reads the global figures and its waiters' positions. */
  async #beat(): Promise<void> {
    if (this.#closed && this.#leasesHeld() === 0) {
      this.#stopHeartbeat();
      return;
    }
    if (!this.#link.reachable || this.#instances.size === 0) return;
    const instances = [...this.#instances.values()];
    const keys = [this.#waitersKey, this.#infoKey];
    for (const instance of instances) keys.push(instance.slotsKey, instance.lineKey, instance.roomKeys.nonStream, instance.roomKeys.stream);
    const args: (string | number)[] = [this.#leaseMs, this.#leasesHeld()];
    for (const instance of instances) for (const leaseId of instance.leases) args.push(instance.index, leaseId);
    const waiters = this.#localWaiters();
    for (const waiter of waiters)
      args.push((this.#instances.get(waiter.request.candidates[0] as string) as SharedInstance).index, waiter.id);
    let answer: unknown[];
    try {
      answer = (await scripts.heartbeat.run(this.#client, keys, args)) as unknown[];
    } catch {
      return;
    }
    for (const [position, instance] of instances.entries()) {
      instance.global.active = Number(answer[3 * position]);
      instance.global.nonStream = Number(answer[3 * position + 1]);
      instance.global.stream = Number(answer[3 * position + 2]);
    }
    for (const [position, waiter] of waiters.entries()) {
      const place = Number(answer[3 * instances.length + position]);
      if (!waiter.gone && place > 0) waiter.position = place;
    }
  }

  #leasesHeld(): number {
    let held = 0;
    for (const instance of this.#instances.values()) held += instance.leases.size;
    return held;
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  /** The global figures an admission's answer ends with: per candidate, active, waiting non-stream, waiting stream. */
  #noteFigures(candidates: readonly SharedInstance[], answer: unknown[]): void {
    for (const [position, instance] of candidates.entries()) {
      instance.global.active = Number(answer[4 + 3 * position]);
      instance.global.nonStream = Number(answer[5 + 3 * position]);
      instance.global.stream = Number(answer[6 + 3 * position]);
    }
  }

  /** Seconds until a slot is likely free: recent median generation time × queue depth per slot, from the global figures. */
  #retryAfterSeconds(candidates: readonly SharedInstance[]): number {
    let best = Number.POSITIVE_INFINITY;
    for (const instance of candidates) {
      const typical = instance.generation.percentile(0.5) ?? 5_000;
      const depth = Math.ceil((instance.global.nonStream + instance.global.stream + 1) / instance.concurrency);
      best = Math.min(best, (typical * depth) / 1000);
    }
    return Number.isFinite(best) ? Math.max(1, Math.ceil(best)) : 1;
  }

  get #client(): Redis | Cluster {
    return this.#link.client;
  }

  /** Stops admitting and answers every waiter with 503 SHUTTING_DOWN; running generations keep their leases until they end. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#memory.close();
    this.#stopFollowing();
    const error = shuttingDownError();
    for (const waiter of this.#localWaiters()) {
      if (waiter.gone) continue;
      this.#leave(waiter);
      this.#forget(waiter.id);
      waiter.reject(error);
    }
    if (this.#subscribed) {
      this.#subscribed.removeListener('message', this.#onMessage);
      this.#subscribed.unsubscribe(this.#channel).catch(() => {});
    }
    if (this.#leasesHeld() === 0) this.#stopHeartbeat();
  }

  get closed(): boolean {
    return this.#closed;
  }

  stats(): Record<string, InstanceQueueStats> {
    const local = this.#memory.stats();
    const result: Record<string, InstanceQueueStats> = {};
    for (const [instanceId, instance] of this.#instances) {
      const own = local[instanceId] as InstanceQueueStats;
      result[instanceId] = {
        concurrency: instance.concurrency,
        active: instance.leases.size + own.active,
        waiting: { stream: instance.charged.stream + own.waiting.stream, nonStream: instance.charged.nonStream + own.waiting.nonStream },
        completed: instance.completed + own.completed,
        failed: instance.failed + own.failed,
        generationMs:
          instance.generation.size > 0
            ? { p50: instance.generation.percentile(0.5) ?? null, p95: instance.generation.percentile(0.95) ?? null }
            : own.generationMs,
        queueMs:
          instance.queue.size > 0
            ? { p50: instance.queue.percentile(0.5) ?? null, p95: instance.queue.percentile(0.95) ?? null }
            : own.queueMs,
        global: {
          active: instance.global.active,
          waiting: { stream: instance.global.stream, nonStream: instance.global.nonStream },
        },
      };
    }
    return result;
  }
}
