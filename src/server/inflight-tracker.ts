/**
 * Counts work in progress so close() can wait for it to drain, and holds
 * each piece's incoming call. A Web Request owns the AbortController that
 * follows the caller's signal (undici keeps only a weak link from the signal
 * to it): if the Request were collected mid-stream, the client's abort would
 * never reach the work.
 */
export class InflightTracker {
  #count = 0;
  #waiters: Array<() => void> = [];
  readonly #held = new Set<object>();

  /** Marks one piece of work started; call the returned function once when it ends. */
  begin(holder?: object): () => void {
    this.#count += 1;
    const token = holder ?? {};
    this.#held.add(token);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#held.delete(token);
      this.#count -= 1;
      if (this.#count === 0) for (const wake of this.#waiters.splice(0)) wake();
    };
  }

  /** Resolves true when all work ended, false when `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== wake);
        resolve(false);
      }, timeoutMs);
      this.#waiters.push(wake);
    });
  }
}
