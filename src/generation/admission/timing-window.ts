/** The last `capacity` durations of something, for percentiles and estimates. */
export class TimingWindow {
  readonly #samples: number[] = [];
  #next = 0;

  constructor(readonly capacity = 200) {}

  add(milliseconds: number): void {
    if (this.#samples.length < this.capacity) this.#samples.push(milliseconds);
    else this.#samples[this.#next] = milliseconds;
    this.#next = (this.#next + 1) % this.capacity;
  }

  get size(): number {
    return this.#samples.length;
  }

  /** The q-th percentile (0–1) in ms, or undefined before the first sample. */
  percentile(q: number): number | undefined {
    if (this.#samples.length === 0) return undefined;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[index];
  }
}
