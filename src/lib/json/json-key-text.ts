/** Keys longer than this cannot name a lifted path; their bytes are not kept. */
const maxKeyLength = 128;
/** Slots of the table of recent keys (a power of two): a request uses a few dozen distinct keys. */
const recentKeySlots = 256;

/**
 * The text of one object key, collected from views of the chunks it spans
 * (a key may be split between two) and decoded once at its closing quote.
 * A key that lies whole in one chunk, without escapes, in plain ASCII (the
 * usual case) is taken from a table of the keys seen recently when its
 * bytes match one: a body of 10 000 messages repeats `role` and `content`
 * 10 000 times, and a view, a copy and a native decode per key were most
 * of the cost of reading it.
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
  /** The first piece, held without a view until a second one comes. */
  #firstChunk: Buffer | undefined;
  #firstStart = 0;
  #firstEnd = 0;
  readonly #recent: Array<string | undefined> = new Array(recentKeySlots);

  start(): void {
    if (this.#pieces.length > 0) this.#pieces = [];
    this.#firstChunk = undefined;
    this.#length = 0;
    this.#hasEscape = false;
  }

  /** Adds `chunk[start, end)` to the key (end is clamped to the chunk); a key past the limit keeps no more bytes. */
  add(chunk: Buffer, start: number, end: number): void {
    if (this.#length > maxKeyLength) return;
    const stop = Math.min(end, chunk.length);
    if (stop <= start) return;
    if (this.#length === 0) {
      this.#firstChunk = chunk;
      this.#firstStart = start;
      this.#firstEnd = stop;
    } else {
      if (this.#firstChunk) {
        this.#pieces.push(this.#firstChunk.subarray(this.#firstStart, this.#firstEnd));
        this.#firstChunk = undefined;
      }
      this.#pieces.push(chunk.subarray(start, stop));
    }
    this.#length += stop - start;
  }

  /** The key holds an escape: it is decoded as JSON.parse would. */
  markEscape(): void {
    this.#hasEscape = true;
  }

  /** The key's text; undefined when it is too long to name a path, or not valid (JSON.parse fails on it later anyway). */
  finish(): string | undefined {
    if (this.#length > maxKeyLength) return this.#reset(undefined);
    const first = this.#firstChunk;
    if (this.#length === 0) return this.#reset('');
    if (first)
      return this.#reset(
        this.#hasEscape
          ? decodeKey(first.subarray(this.#firstStart, this.#firstEnd), true)
          : this.#recentKey(first, this.#firstStart, this.#firstEnd),
      );
    return this.#reset(decodeKey(Buffer.concat(this.#pieces), this.#hasEscape));
  }

  #reset(key: string | undefined): string | undefined {
    if (this.#pieces.length > 0) this.#pieces = [];
    this.#firstChunk = undefined;
    this.#length = 0;
    return key;
  }

  /** `bytes[start, end)` as a string: the recent key with these bytes, or a new decode that takes its slot. */
  #recentKey(bytes: Buffer, start: number, end: number): string | undefined {
    // FNV-1a over the bytes; a byte outside ASCII means UTF-8 to decode, not a byte-for-character match.
    let hash = 0x811c9dc5;
    for (let index = start; index < end; index++) {
      const byte = bytes[index] as number;
      if (byte >= 0x80) return decodeKey(bytes.subarray(start, end), false);
      hash = Math.imul(hash ^ byte, 0x01000193);
    }
    const slot = (hash >>> 0) & (recentKeySlots - 1);
    const known = this.#recent[slot];
    if (known !== undefined && known.length === end - start && sameAscii(known, bytes, start)) return known;
    const key = bytes.toString('latin1', start, end);
    this.#recent[slot] = key;
    return key;
  }
}

function sameAscii(text: string, bytes: Buffer, start: number): boolean {
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) !== bytes[start + index]) return false;
  return true;
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
