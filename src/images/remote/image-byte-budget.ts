/**
 * The bytes all images of one request may bring (`images.maxTotalImageBytes`),
 * counted as they arrive: remote bodies chunk by chunk, data URLs once
 * decoded. The first fetch to cross it fails, and the ingester then aborts
 * the others, so one request never buffers five full-size downloads before
 * the total is checked.
 *
 * @example
 * const budget = new ImageByteBudget(48 * 1024 * 1024);
 * if (!budget.take(chunk.byteLength)) throw tooLarge(budget);
 */
export class ImageByteBudget {
  #used = 0;

  constructor(readonly limit: number) {}

  get used(): number {
    return this.#used;
  }

  /** Counts `bytes` more; false once the total is over the limit. */
  take(bytes: number): boolean {
    this.#used += bytes;
    return this.#used <= this.limit;
  }
}
