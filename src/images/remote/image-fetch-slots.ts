/**
 * A gateway-wide bound on remote image fetches in flight: each holds an
 * outbound socket and up to `maxImageBytes` of buffered body, and without a
 * bound 40 requests of 5 slow URLs held 200 sockets. A fetch waits for a
 * slot (first come, first served); a waiter whose signal aborts leaves the
 * line at once.
 *
 * @example
 * const slots = new FetchSlots(16);
 * await slots.acquire(signal);
 * try { await fetchIt(); } finally { slots.release(); }
 */
export class FetchSlots {
  #free: number;
  readonly #waiters: { admit: () => void; signal: AbortSignal; onAbort: () => void }[] = [];

  constructor(readonly size: number) {
    this.#free = size;
  }

  /** Fetches running now, and fetches waiting for a slot. */
  get counts(): { running: number; waiting: number } {
    return { running: this.size - this.#free, waiting: this.#waiters.length };
  }

  /** Resolves when a slot is taken; rejects with the signal's reason if it aborts first. */
  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        signal,
        admit: () => {
          signal.removeEventListener('abort', waiter.onAbort);
          resolve();
        },
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Gives a slot back: to the first waiter, or to the pool. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next.admit();
    else this.#free += 1;
  }
}
