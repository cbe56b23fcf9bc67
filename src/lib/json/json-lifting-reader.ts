import { firstNonAsciiText } from './json-ascii-scan.js';
import { firstNonBase64 } from './json-base64-scan.js';
import { LiftedString } from './json-lifted-string.js';
import { type JsonPath, JsonPathTracker } from './json-path-tracker.js';
import { liftTokenEnd, liftTokenPrefix, TextWithLifts } from './json-text-with-lifts.js';

export type { JsonPath } from './json-path-tracker.js';

export interface JsonLiftingOptions {
  /**
   * Whether the string value at `path` may be lifted out. Asked once per
   * string value (never for keys) at most 16 levels deep.
   */
  liftAt(path: JsonPath): boolean;
  /**
   * Whether the string value at `path` may have base64 payloads lifted out
   * of it: text around a data URL, such as markdown `![](data:image/png;base64,...)`.
   * The bytes after each `;base64,` up to the first byte outside the base64
   * alphabet are lifted when at least `minimumLength` long; `parse()` gives
   * such a string back as a `TextWithLifts`.
   */
  liftPayloadsAt?(path: JsonPath): boolean;
  /** Shorter strings stay in the JSON text (default 64 KiB): lifting pays off only for big values. */
  minimumLength?: number;
}

/** What a reader read: the JSON text without its lifted strings, and the value with them put back. */
export interface LiftedJson {
  /** The JSON text with each lifted string replaced by a short placeholder; the input itself when nothing was lifted. */
  readonly text: string;
  /** `JSON.parse` of the text with each lifted string back in place as a `LiftedString`; throws `SyntaxError` as JSON.parse does. */
  parse(): unknown;
}

interface Lift {
  path: JsonPath;
  placeholder: string;
  value: LiftedString;
  /** A payload inside a longer string, not the whole string. */
  inside: boolean;
}

const quote = 0x22;
const backslash = 0x5c;
const defaultMinimumLength = 64 * 1024;
/** Keys longer than this cannot name a lifted path; their bytes are not kept. */
const maxKeyLength = 128;
/** What starts a payload that `liftPayloadsAt` lifts. */
const payloadMarker = Buffer.from(';base64,', 'latin1');
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

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
  readonly #minimumLength: number;
  /** The JSON text so far, as views of the chunks, lifted strings left out. */
  readonly #text: Uint8Array[] = [];
  readonly #lifts: Lift[] = [];
  readonly #path = new JsonPathTracker();
  /** The chunks so far while they are too short to hold a string worth lifting; undefined once scanning started. */
  #held: Buffer[] | undefined = [];
  #heldLength = 0;
  #mode: 'structure' | 'string' | 'key' | 'lift' | 'payloads' | 'payload' = 'structure';
  /** The chunk ended just after a backslash inside a string: the next byte is escaped. */
  #escapePending = false;
  #keyPieces: Uint8Array[] = [];
  #keyLength = 0;
  #keyHasEscape = false;
  #liftPieces: Buffer[] = [];
  #liftLength = 0;
  #liftPath: JsonPath = [];
  // Per chunk: where its bytes not yet added to #text start, and the next quote and backslash found in it.
  #chunk: Buffer = Buffer.alloc(0);
  #runStart = 0;
  #nextQuote = -1;
  #nextBackslash = -1;
  #nextMarker = -1;

  constructor(options: JsonLiftingOptions) {
    this.#liftAt = options.liftAt;
    this.#liftPayloadsAt = options.liftPayloadsAt;
    this.#minimumLength = options.minimumLength ?? defaultMinimumLength;
  }

  push(bytes: Uint8Array): void {
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.#held) {
      // Until the text is as long as the shortest string worth lifting, nothing can be lifted: just keep it.
      this.#held.push(chunk);
      this.#heldLength += chunk.length;
      if (this.#heldLength < this.#minimumLength) return;
      const held = this.#held;
      this.#held = undefined;
      for (const piece of held) this.#scan(piece);
      return;
    }
    this.#scan(chunk);
  }

  #scan(chunk: Buffer): void {
    this.#chunk = chunk;
    this.#runStart = 0;
    this.#nextQuote = -1;
    this.#nextBackslash = -1;
    this.#nextMarker = -1;
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
    const lifts = this.#lifts;
    return {
      text,
      parse: () => {
        const value: unknown = JSON.parse(text);
        for (const lift of lifts) {
          if (lift.inside) putInside(value, lift);
          else putBack(value, lift);
        }
        return value;
      },
    };
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
      this.#keyPieces = [];
      this.#keyLength = 0;
      this.#keyHasEscape = false;
      return;
    }
    // No path at the root: a string that is the whole document has nothing around it to parse.
    const path = this.#path.currentPath();
    if (path && this.#liftAt(path)) {
      this.#emitRun(quoteAt + 1);
      this.#mode = 'lift';
      this.#liftPieces = [];
      this.#liftLength = 0;
      this.#liftPath = path;
      return;
    }
    if (path && this.#liftPayloadsAt?.(path)) {
      this.#mode = 'payloads';
      this.#liftPath = path;
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
      const closing = this.#find(quote, position);
      const escapeAt = this.#find(backslash, position);
      if (escapeAt !== -1 && (closing === -1 || escapeAt < closing)) {
        this.#keyHasEscape = true;
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
      if (this.#mode === 'key') this.#endKey();
      this.#mode = 'structure';
      return closing + 1;
    }
    return position;
  }

  #collectKey(start: number, end: number): void {
    if (this.#mode !== 'key' || this.#keyLength > maxKeyLength) return;
    const stop = Math.min(end, this.#chunk.length);
    this.#keyPieces.push(this.#chunk.subarray(start, stop));
    this.#keyLength += stop - start;
  }

  #endKey(): void {
    this.#path.setKey(this.#keyLength > maxKeyLength ? undefined : decodeKey(Buffer.concat(this.#keyPieces), this.#keyHasEscape));
    this.#keyPieces = [];
  }

  /**
   * Inside a string that may be lifted: keeps views of its bytes while they
   * are plain printable ASCII; at the first escape or other byte it gives
   * them back to the text and reads on as an ordinary string.
   */
  #scanLift(start: number): number {
    const chunk = this.#chunk;
    const closing = this.#find(quote, start);
    const escapeAt = this.#find(backslash, start);
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
      const closing = this.#find(quote, position);
      const escapeAt = this.#find(backslash, position);
      const limit = Math.min(closing === -1 ? chunk.length : closing, escapeAt === -1 ? chunk.length : escapeAt);
      const marker = this.#findMarker(position);
      if (marker !== -1 && marker < limit) {
        // The marker holds neither quote nor backslash, so it ends before `limit` too.
        const payloadStart = marker + payloadMarker.length;
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

  /** The next payload marker at or after `position` in the chunk, remembered as `#find` does. */
  #findMarker(position: number): number {
    const cached = this.#nextMarker;
    if (cached === Number.POSITIVE_INFINITY) return -1;
    if (cached >= position) return cached;
    const found = this.#chunk.indexOf(payloadMarker, position);
    this.#nextMarker = found === -1 ? Number.POSITIVE_INFINITY : found;
    return found;
  }

  /** The string is not lifted after all: its bytes go back to the text. */
  #returnLiftPieces(): void {
    for (const piece of this.#liftPieces) this.#text.push(piece);
    this.#liftPieces = [];
  }

  /** The next `byte` at or after `position` in the chunk, remembered so a chunk is searched once per byte value. */
  #find(byte: number, position: number): number {
    const cached = byte === quote ? this.#nextQuote : this.#nextBackslash;
    if (cached === Number.POSITIVE_INFINITY) return -1;
    if (cached >= position) return cached;
    const found = this.#chunk.indexOf(byte, position);
    const remembered = found === -1 ? Number.POSITIVE_INFINITY : found;
    if (byte === quote) this.#nextQuote = remembered;
    else this.#nextBackslash = remembered;
    return found;
  }

  #emitRun(end: number): void {
    if (end > this.#runStart) this.#text.push(this.#chunk.subarray(this.#runStart, end));
    this.#runStart = end;
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

/**
 * Puts a lifted string back where its placeholder landed. When a later
 * duplicate key replaced it, JSON.parse kept the later value, and so does this.
 */
function putBack(root: unknown, lift: Lift): void {
  const container = containerOf(root, lift.path);
  const last = lift.path.at(-1) as string | number;
  if (container && container[last] === lift.placeholder) container[last] = lift.value;
}

/** Makes the string a payload was lifted from a TextWithLifts that knows the payload. */
function putInside(root: unknown, lift: Lift): void {
  const container = containerOf(root, lift.path);
  const last = lift.path.at(-1) as string | number;
  const current = container?.[last];
  const text = current instanceof TextWithLifts ? current : typeof current === 'string' ? new TextWithLifts(current) : undefined;
  if (!container || !text?.text.includes(lift.placeholder)) return;
  text.add(lift.placeholder, lift.value);
  container[last] = text;
}

/** The object or array that holds the value at `path`, when the parsed value still has it. */
function containerOf(root: unknown, path: JsonPath): Record<string | number, unknown> | undefined {
  let node: unknown = root;
  for (const step of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, step)) return undefined;
    node = (node as Record<string | number, unknown>)[step];
  }
  const last = path.at(-1) as string | number;
  if (typeof node !== 'object' || node === null || !Object.hasOwn(node, last)) return undefined;
  return node as Record<string | number, unknown>;
}
