/** Keys longer than this cannot name a lifted path; their bytes are not kept. */
const maxKeyLength = 128;

/**
 * The text of one object key, collected from views of the chunks it spans
 * (a key may be split between two) and decoded once at its closing quote.
 *
 * @example
 * const key = new JsonKeyText();
 * key.start();
 * key.add(chunk, 1, 6);
 * key.finish(); // "image"
 */
export class JsonKeyText {
  #pieces: Uint8Array[] = [];
  #length = 0;
  #hasEscape = false;

  start(): void {
    this.#pieces = [];
    this.#length = 0;
    this.#hasEscape = false;
  }

  /** Adds `chunk[start, end)` to the key (end is clamped to the chunk); a key past the limit keeps no more bytes. */
  add(chunk: Buffer, start: number, end: number): void {
    if (this.#length > maxKeyLength) return;
    const stop = Math.min(end, chunk.length);
    this.#pieces.push(chunk.subarray(start, stop));
    this.#length += stop - start;
  }

  /** The key holds an escape: it is decoded as JSON.parse would. */
  markEscape(): void {
    this.#hasEscape = true;
  }

  /** The key's text; undefined when it is too long to name a path, or not valid (JSON.parse fails on it later anyway). */
  finish(): string | undefined {
    const pieces = this.#pieces;
    this.#pieces = [];
    return this.#length > maxKeyLength ? undefined : decodeKey(Buffer.concat(pieces), this.#hasEscape);
  }
}

/** A key's text as JSON.parse would read it; undefined when it is not valid (the parse fails later anyway). */
function decodeKey(bytes: Buffer, hasEscape: boolean): string | undefined {
  // Buffer's UTF-8 decoding replaces bad sequences as TextDecoder does, with less overhead per call.
  const raw = bytes.toString('utf8');
  if (!hasEscape) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}
