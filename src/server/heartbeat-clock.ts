/** Something that writes a heartbeat when its turn comes: an event stream. */
export interface Beating {
  beat(): void;
}

/**
 * One timer for every stream with the same interval, instead of one each.
 * Streams are spread over up to 32 phases by when they started, so each tick
 * writes to a slice of them (a block of the event loop stays short with ten
 * thousand streams), and each stream beats once per interval, never later
 * (the first beat may come up to one phase early). Ticks are scheduled
 * against the clock, not one after the other, so the time spent writing
 * does not add up into late beats.
 */
class HeartbeatClock {
  readonly #phases: number;
  readonly #tickMs: number;
  readonly #buckets: Set<Beating>[];
  #tick = 0;
  /** When tick 0 was (performance.now()); tick n is due at origin + n * tickMs. */
  #origin = 0;
  #size = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(intervalMs: number) {
    this.#phases = Math.min(32, Math.max(1, Math.floor(intervalMs / 10)));
    this.#tickMs = Math.max(1, Math.floor(intervalMs / this.#phases));
    this.#buckets = Array.from({ length: this.#phases }, () => new Set<Beating>());
  }

  add(stream: Beating): void {
    const bucket = this.#buckets[this.#tick % this.#phases] as Set<Beating>;
    if (bucket.has(stream)) return;
    bucket.add(stream);
    this.#size += 1;
    if (!this.#timer) {
      this.#origin = performance.now() - this.#tick * this.#tickMs;
      this.#schedule();
    }
  }

  delete(stream: Beating): void {
    for (const bucket of this.#buckets) {
      if (!bucket.delete(stream)) continue;
      this.#size -= 1;
      break;
    }
    if (this.#size === 0 && this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #schedule(): void {
    const now = performance.now();
    // After a stall of a whole interval or more, start counting again from now rather than
    // firing every missed tick at once (a burst of beats helps no one).
    if (now - (this.#origin + this.#tick * this.#tickMs) >= this.#tickMs * this.#phases) {
      this.#origin = now - this.#tick * this.#tickMs;
    }
    const due = this.#origin + (this.#tick + 1) * this.#tickMs;
    this.#timer = setTimeout(() => this.#beat(), Math.max(0, due - now));
    this.#timer.unref?.();
  }

  #beat(): void {
    this.#tick += 1;
    for (const stream of this.#buckets[this.#tick % this.#phases] as Set<Beating>) stream.beat();
    if (this.#size > 0) this.#schedule();
    else this.#timer = undefined;
  }
}

const clocks = new Map<number, HeartbeatClock>();

export function heartbeatClock(intervalMs: number): HeartbeatClock {
  let clock = clocks.get(intervalMs);
  if (!clock) {
    clock = new HeartbeatClock(intervalMs);
    clocks.set(intervalMs, clock);
  }
  return clock;
}
