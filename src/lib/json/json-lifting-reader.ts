import { firstNonAsciiText } from './json-ascii-scan.js';
import { firstNonBase64 } from './json-base64-scan.js';
import { ChunkSearch } from './json-chunk-search.js';
import { JsonKeyText } from './json-key-text.js';
import { LiftedString } from './json-lifted-string.js';
import { type JsonLiftingOptions, type Lift, type LiftedJson, liftedJson } from './json-lifts.js';
import { type JsonPath, JsonPathTracker } from './json-path-tracker.js';
import { liftTokenEnd, liftTokenPrefix } from './json-text-with-lifts.js';

export type { JsonLiftingOptions, LiftedJson } from './json-lifts.js';
export type { JsonPath } from './json-path-tracker.js';

const quote = 0x22;
const backslash = 0x5c;
const slash = 0x2f;
const defaultMinimumLength = 64 * 1024;
/** What starts a payload that `liftPayloadsAt` lifts. */
const payloadMarker = Buffer.from(';base64,', 'latin1');
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

const imageDataUrlStart = Buffer.from('data:image/', 'latin1');
/** The same, from an encoder that escapes "/". */
const escapedImageDataUrlStart = Buffer.from('data:image\\/', 'latin1');
/** Longest media type searched for before a `;base64,` marker (`image/svg+xml` is 13 characters). */
const maxImageHeaderLength = 64;

/** Whether `data:image/<type>` ends where the `;base64,` marker at `marker` starts, within the chunk. */
function isImageDataUrlHeader(chunk: Buffer, marker: number): boolean {
  const from = Math.max(0, marker - maxImageHeaderLength);
  const header = chunk.subarray(from, marker);
  return header.lastIndexOf(imageDataUrlStart) !== -1 || header.lastIndexOf(escapedImageDataUrlStart) !== -1;
}

/**
 * Reads JSON text chunk by chunk and lifts big string values out of it,
 * so that a 15 MB base64 image is never decoded into a string, parsed or
 * copied: it stays a list of views of the received chunks (`LiftedString`).
 * Everything else is left to one `JSON.parse` of the small remainder, so
 * its meaning is exactly JSON's (escapes, numbers, duplicate keys, errors).
 *
 * Only a string that sits at a path `liftAt` accepts, is at least
 * `minimumLength` long, and holds nothing but printable ASCII without
 * escapes is lifted; any other string goes to JSON.parse untouched. Each
 * chunk is scanned once, with `Buffer.indexOf`, as it arrives; the only
 * step over everything is the final JSON.parse, of what was not lifted.
 *
 * @example
 * const reader = new JsonLiftingReader({ liftAt: (path) => path.at(-1) === 'url' });
 * for await (const chunk of body) reader.push(chunk);
 * const value = reader.finish().parse(); // { image_url: { url: LiftedString } }
 */
export class JsonLiftingReader {
  readonly #liftAt: (path: JsonPath) => boolean;
  readonly #liftPayloadsAt: ((path: JsonPath) => boolean) | undefined;
  readonly #countPayloadsAt: ((path: JsonPath) => boolean) | undefined;
  /** The string being read is a `countPayloadsAt` one: its payloads are counted, not lifted. */
  #countingPayloads = false;
  /** A counted payload's chunk ended on a backslash: "/" next continues the payload. */
  #payloadEscapePending = false;
  readonly #minimumLength: number;
  readonly #holdBytes: number;
  /** The JSON text so far, as views of the chunks, lifted strings left out. */
  readonly #text: Uint8Array[] = [];
  readonly #lifts: Lift[] = [];
  readonly #path = new JsonPathTracker();
  /** The chunks so far while they are shorter than `holdBytes`; undefined once scanning started. */
  #held: Buffer[] | undefined = [];
  #heldLength = 0;
  #mode: 'structure' | 'string' | 'key' | 'lift' | 'payloads' | 'payload' = 'structure';
  /** The chunk ended just after a backslash inside a string: the next byte is escaped. */
  #escapePending = false;
  /** The key being read, while `#mode` is 'key'. */
  readonly #key = new JsonKeyText();
  #liftPieces: Buffer[] = [];
  #liftLength = 0;
  #liftPath: JsonPath = [];
  /** The chunk being scanned, and where its bytes not yet added to #text start. */
  #chunk: Buffer = Buffer.alloc(0);
  #runStart = 0;
  /** Bytes of the chunks scanned before `#chunk`. */
  #chunkOffset = 0;
  /** Where the string at a `liftAt` path being read started (offset from the first byte), or -1 outside one. */
  #liftableOpenedAt = -1;
  /** Bytes of the strings at `liftAt` paths read so far, lifted or not, and of payloads counted at `countPayloadsAt` paths. */
  #liftableBytes = 0;
  readonly #search = new ChunkSearch([quote, backslash], payloadMarker);

  constructor(options: JsonLiftingOptions) {
    this.#liftAt = options.liftAt;
    this.#liftPayloadsAt = options.liftPayloadsAt;
    this.#countPayloadsAt = options.countPayloadsAt;
    this.#minimumLength = options.minimumLength ?? defaultMinimumLength;
    this.#holdBytes = options.holdBytes ?? this.#minimumLength;
  }

  push(bytes: Uint8Array): void {
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.#held) {
      // Until the text is as long as the shortest string worth lifting, nothing can be lifted: just keep it.
      this.#held.push(chunk);
      this.#heldLength += chunk.length;
      if (this.#heldLength < this.#holdBytes) return;
      const held = this.#held;
      this.#held = undefined;
      for (const piece of held) this.#scan(piece);
      return;
    }
    this.#scan(chunk);
  }

  /**
   * Bytes so far of the strings at paths `liftAt` accepts, whether they were
   * lifted or not (too short, or escaped), and of the image payloads
   * counted inside strings at `countPayloadsAt` paths: what a caller
   * bounding the rest of a document (everything but its images) leaves out.
   */
  liftableBytes(): number {
    if (this.#liftableOpenedAt === -1) return this.#liftableBytes;
    return this.#liftableBytes + this.#chunkOffset + this.#chunk.length - this.#liftableOpenedAt;
  }

  #scan(chunk: Buffer): void {
    if (this.#chunk.length > 0) this.#chunkOffset += this.#chunk.length;
    this.#chunk = chunk;
    this.#runStart = 0;
    this.#search.reset(chunk);
    let position = 0;
    while (position < chunk.length) {
      if (this.#mode === 'structure') position = this.#scanStructure(position);
      else if (this.#mode === 'lift') position = this.#scanLift(position);
      else if (this.#mode === 'payloads') position = this.#scanPayloads(position);
      else if (this.#mode === 'payload') position = this.#scanPayload(position);
      else position = this.#scanString(position);
    }
    this.#emitRun(chunk.length);
  }

  /**
   * Ends the input. A string still open (a cut-off answer) goes back to the
   * text, where JSON.parse rejects it. A leading byte-order mark is kept
   * unless `dropByteOrderMark` (as `Response.text()` drops it from a body).
   */
  finish(options: { dropByteOrderMark?: boolean } = {}): LiftedJson {
    if (this.#mode === 'lift' || this.#mode === 'payload') this.#returnLiftPieces();
    const decoded = decoder.decode(Buffer.concat(this.#held ?? this.#text));
    const text = options.dropByteOrderMark && decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
    return liftedJson(text, this.#lifts);
  }

  /** Outside strings: follows objects and arrays until the next string starts. */
  #scanStructure(start: number): number {
    const chunk = this.#chunk;
    for (let position = start; position < chunk.length; position++) {
      const byte = chunk[position];
      if (byte === quote) {
        this.#openString(position);
        return position + 1;
      }
      if (byte === 0x7b || byte === 0x5b) this.#path.open(byte === 0x7b);
      else if (byte === 0x7d || byte === 0x5d) this.#path.close();
      else if (byte === 0x2c) this.#path.nextMember();
    }
    return chunk.length;
  }

  #openString(quoteAt: number): void {
    if (this.#path.expectsKey()) {
      this.#mode = 'key';
      this.#key.start();
      return;
    }
    // No path at the root: a string that is the whole document has nothing around it to parse.
    const path = this.#path.currentPath();
    if (path && this.#liftAt(path)) {
      this.#liftableOpenedAt = this.#chunkOffset + quoteAt + 1;
      this.#emitRun(quoteAt + 1);
      this.#mode = 'lift';
      this.#liftPieces = [];
      this.#liftLength = 0;
      this.#liftPath = path;
      return;
    }
    if (path && this.#liftPayloadsAt?.(path)) {
      this.#mode = 'payloads';
      this.#countingPayloads = false;
      this.#liftPath = path;
      return;
    }
    if (path && this.#countPayloadsAt?.(path)) {
      this.#mode = 'payloads';
      this.#countingPayloads = true;
      return;
    }
    this.#mode = 'string';
  }

  /** Inside a string or key that stays in the text: skips to its closing quote, stepping over escapes. */
  #scanString(start: number): number {
    const chunk = this.#chunk;
    let position = start;
    if (this.#escapePending) {
      this.#escapePending = false;
      this.#collectKey(position, position + 1);
      position += 1;
    }
    while (position < chunk.length) {
      const closing = this.#search.find(quote, position);
      const escapeAt = this.#search.find(backslash, position);
      if (escapeAt !== -1 && (closing === -1 || escapeAt < closing)) {
        if (this.#mode === 'key') this.#key.markEscape();
        this.#collectKey(position, escapeAt + 2);
        if (escapeAt + 1 >= chunk.length) {
          this.#escapePending = true;
          return chunk.length;
        }
        position = escapeAt + 2;
        continue;
      }
      if (closing === -1) {
        this.#collectKey(position, chunk.length);
        return chunk.length;
      }
      this.#collectKey(position, closing);
      if (this.#mode === 'key') this.#path.setKey(this.#key.finish());
      this.#closeLiftable(closing);
      this.#mode = 'structure';
      return closing + 1;
    }
    return position;
  }

  #collectKey(start: number, end: number): void {
    if (this.#mode === 'key') this.#key.add(this.#chunk, start, end);
  }

  /**
   * Inside a string that may be lifted: keeps views of its bytes while they
   * are plain printable ASCII; at the first escape or other byte it gives
   * them back to the text and reads on as an ordinary string.
   */
  #scanLift(start: number): number {
    const chunk = this.#chunk;
    const closing = this.#search.find(quote, start);
    const escapeAt = this.#search.find(backslash, start);
    const end = Math.min(closing === -1 ? chunk.length : closing, escapeAt === -1 ? chunk.length : escapeAt);
    if (end === escapeAt || firstNonAsciiText(chunk, start, end) !== -1) {
      this.#returnLiftPieces();
      this.#runStart = start;
      this.#mode = 'string';
      return start;
    }
    if (end > start) {
      this.#liftPieces.push(chunk.subarray(start, end));
      this.#liftLength += end - start;
    }
    if (end === chunk.length) {
      this.#runStart = chunk.length;
      return chunk.length;
    }
    if (this.#liftLength >= this.#minimumLength) {
      const placeholder = `${liftTokenPrefix}${this.#lifts.length}`;
      this.#lifts.push({ path: this.#liftPath, placeholder, value: new LiftedString(this.#liftPieces), inside: false });
      this.#text.push(Buffer.from(JSON.stringify(placeholder).slice(1, -1), 'latin1'));
    } else {
      this.#returnLiftPieces();
    }
    this.#liftPieces = [];
    this.#runStart = closing;
    this.#closeLiftable(closing);
    this.#mode = 'structure';
    return closing + 1;
  }

  /**
   * Inside a string whose payloads may be lifted: reads it as an ordinary
   * string, stepping over escapes, until a `;base64,` starts a payload.
   * A marker split between two chunks is not seen: that payload then stays
   * in the text, which costs time, never correctness.
   */
  #scanPayloads(start: number): number {
    const chunk = this.#chunk;
    let position = start;
    if (this.#escapePending) {
      this.#escapePending = false;
      position += 1;
    }
    while (position < chunk.length) {
      const closing = this.#search.find(quote, position);
      const escapeAt = this.#search.find(backslash, position);
      const limit = Math.min(closing === -1 ? chunk.length : closing, escapeAt === -1 ? chunk.length : escapeAt);
      const marker = this.#search.findMarker(position);
      if (marker !== -1 && marker < limit) {
        // The marker holds neither quote nor backslash, so it ends before `limit` too.
        const payloadStart = marker + payloadMarker.length;
        if (this.#countingPayloads) {
          // Only an image's payload is image data; the rest of the string stays text.
          if (isImageDataUrlHeader(chunk, marker)) this.#mode = 'payload';
          return payloadStart;
        }
        this.#emitRun(payloadStart);
        this.#mode = 'payload';
        this.#liftPieces = [];
        this.#liftLength = 0;
        return payloadStart;
      }
      if (limit === chunk.length) return chunk.length;
      if (limit === closing) {
        this.#mode = 'structure';
        return closing + 1;
      }
      if (escapeAt + 1 >= chunk.length) {
        this.#escapePending = true;
        return chunk.length;
      }
      position = escapeAt + 2;
    }
    return position;
  }

  /** Inside a payload: keeps views of its bytes up to the first one outside the base64 alphabet. */
  #scanPayload(start: number): number {
    const chunk = this.#chunk;
    if (this.#countingPayloads) return this.#countPayload(start);
    const end = firstNonBase64(chunk, start, chunk.length);
    const stop = end === -1 ? chunk.length : end;
    if (stop > start) {
      this.#liftPieces.push(chunk.subarray(start, stop));
      this.#liftLength += stop - start;
    }
    this.#runStart = stop;
    if (end === -1) return chunk.length;
    if (this.#liftLength >= this.#minimumLength) {
      const placeholder = `${liftTokenPrefix}${this.#lifts.length}${liftTokenEnd}`;
      this.#lifts.push({ path: this.#liftPath, placeholder, value: new LiftedString(this.#liftPieces), inside: true });
      this.#text.push(Buffer.from(JSON.stringify(placeholder).slice(1, -1), 'latin1'));
    } else {
      this.#returnLiftPieces();
    }
    this.#liftPieces = [];
    this.#mode = 'payloads';
    return stop;
  }

  /**
   * Inside a payload that is only counted: its bytes count as image data up
   * to the first byte outside the base64 alphabet. Encoders that escape "/"
   * (PHP's json_encode) write base64 with "\/" in it: that is still the
   * payload, also when a chunk boundary falls between the two bytes.
   */
  #countPayload(start: number): number {
    const chunk = this.#chunk;
    let position = start;
    if (this.#payloadEscapePending) {
      this.#payloadEscapePending = false;
      if (chunk[position] !== slash) {
        // Some other escape: the string goes on as text, with this byte escaped.
        this.#escapePending = true;
        this.#mode = 'payloads';
        return position;
      }
      this.#liftableBytes += 2;
      position += 1;
    }
    while (position < chunk.length) {
      const end = firstNonBase64(chunk, position, chunk.length);
      if (end === -1) {
        this.#liftableBytes += chunk.length - position;
        return chunk.length;
      }
      this.#liftableBytes += end - position;
      if (chunk[end] === backslash && end + 1 === chunk.length) {
        this.#payloadEscapePending = true;
        return chunk.length;
      }
      if (chunk[end] !== backslash || chunk[end + 1] !== slash) {
        this.#mode = 'payloads';
        return end;
      }
      this.#liftableBytes += 2;
      position = end + 2;
    }
    return position;
  }

  /** A string at a `liftAt` path ends at `closing` in the current chunk: its bytes count as liftable. */
  #closeLiftable(closing: number): void {
    if (this.#liftableOpenedAt === -1) return;
    this.#liftableBytes += this.#chunkOffset + closing - this.#liftableOpenedAt;
    this.#liftableOpenedAt = -1;
  }

  /** The string is not lifted after all: its bytes go back to the text. */
  #returnLiftPieces(): void {
    for (const piece of this.#liftPieces) this.#text.push(piece);
    this.#liftPieces = [];
  }

  #emitRun(end: number): void {
    if (end > this.#runStart) this.#text.push(this.#chunk.subarray(this.#runStart, end));
    this.#runStart = end;
  }
}
