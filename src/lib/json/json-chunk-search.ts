/**
 * Finds bytes and one marker in a chunk, remembering where each was found:
 * a scanner that asks again from a later position gets the remembered one
 * while it still lies ahead, so each chunk is searched once per byte value
 * (a memchr over the base64 of an image) rather than once per question.
 *
 * @example
 * const search = new ChunkSearch([0x22, 0x5c], Buffer.from(';base64,'));
 * search.reset(chunk);
 * search.find(0x22, 0); // the first quote, or -1
 */
export class ChunkSearch {
  readonly #bytes: readonly number[];
  readonly #marker: Buffer;
  #chunk: Buffer = Buffer.alloc(0);
  /** Per byte of `#bytes`: the next position found, -1 before the first search, Infinity when there is none. */
  readonly #next: number[];
  #nextMarker = -1;

  constructor(bytes: readonly number[], marker: Buffer) {
    this.#bytes = bytes;
    this.#marker = marker;
    this.#next = bytes.map(() => -1);
  }

  reset(chunk: Buffer): void {
    this.#chunk = chunk;
    this.#next.fill(-1);
    this.#nextMarker = -1;
  }

  /** The next `byte` (one of those given at construction) at or after `position`, or -1. */
  find(byte: number, position: number): number {
    const slot = this.#bytes.indexOf(byte);
    const cached = this.#next[slot] as number;
    if (cached === Number.POSITIVE_INFINITY) return -1;
    if (cached >= position) return cached;
    const found = this.#chunk.indexOf(byte, position);
    this.#next[slot] = found === -1 ? Number.POSITIVE_INFINITY : found;
    return found;
  }

  /** The next marker at or after `position`, or -1. */
  findMarker(position: number): number {
    const cached = this.#nextMarker;
    if (cached === Number.POSITIVE_INFINITY) return -1;
    if (cached >= position) return cached;
    const found = this.#chunk.indexOf(this.#marker, position);
    this.#nextMarker = found === -1 ? Number.POSITIVE_INFINITY : found;
    return found;
  }
}
