import { ChunkSearch } from './json-chunk-search.js';
import { JsonKeyText } from './json-key-text.js';
import type { JsonPath } from './json-path-tracker.js';

/** How big a JSON document's structure may get before it is parsed. */
export interface JsonShapeLimits {
  /** Objects and arrays open at once. */
  maxDepth: number;
  /** Members of one object (a repeated key counts each time). */
  maxKeysPerObject: number;
  /** Items of one array. */
  maxArrayItems: number;
  /**
   * Items of an array that is a member of the root object (`messages`,
   * `input`, `tools`): a long conversation has far more turns than any
   * nested array has items. Defaults to `maxArrayItems`.
   */
  maxRootArrayItems?: number;
  /**
   * Members and items of the whole document, counted as its objects,
   * arrays and commas: what bounds the work of parsing and validating it.
   */
  maxMembers: number;
}

/** Which bound a document crossed, the bound, and where: the path of the object or array at fault. */
export class JsonShapeLimitError extends Error {
  readonly limit: keyof JsonShapeLimits;
  readonly allowed: number;
  readonly path: JsonPath;

  constructor(limit: keyof JsonShapeLimits, allowed: number, path: JsonPath) {
    super(`JSON shape limit ${limit} (${allowed}) exceeded`);
    this.name = 'JsonShapeLimitError';
    this.limit = limit;
    this.allowed = allowed;
    this.path = path;
  }
}

interface Frame {
  isObject: boolean;
  /** The items this frame may have (arrays), and the limit that says so. */
  maxItems: number;
  itemsLimit: 'maxArrayItems' | 'maxRootArrayItems';
  /** Commas seen: the members or items so far, less one. */
  commas: number;
  /**
   * The key of the member being read (objects): where it lies in the chunk
   * that held it whole (decoded only for an error message), or its text when
   * a chunk boundary cut it; undefined between members or when too long.
   */
  keyChunk: Buffer | undefined;
  keyStart: number;
  keyEnd: number;
  keyEscaped: boolean;
  keyText: string | undefined;
  expectingKey: boolean;
}

const quote = 0x22;
const backslash = 0x5c;
const noMarker = Buffer.from([0]);
/** Keys longer than this do not name a place in an error message. */
const maxKeyLength = 128;

/**
 * Counts the structure of JSON text chunk by chunk as it arrives, and throws
 * a `JsonShapeLimitError` as soon as an object has too many keys, an array
 * too many items, or the nesting is too deep: before JSON.parse, schema
 * validation or any copy walks millions of members. Strings are skipped
 * with a memchr per chunk (`Buffer.indexOf`), so a 20 MB image costs
 * little. It does not check the text is valid JSON (JSON.parse judges that
 * afterwards); on valid text its counts are exact.
 *
 * @example
 * const guard = new JsonShapeGuard({ maxDepth: 32, maxKeysPerObject: 1000, maxArrayItems: 1000 });
 * for await (const chunk of body) guard.push(chunk); // throws JsonShapeLimitError { limit: 'maxKeysPerObject', path: [] }
 */
export class JsonShapeGuard {
  readonly #limits: JsonShapeLimits;
  readonly #maxRootArrayItems: number;
  readonly #frames: Frame[] = [];
  /** For strings longer than `nearWindow`; made and reset for a chunk only when one is met. */
  #search: ChunkSearch | undefined;
  #searchChunk: Buffer | undefined;
  readonly #key = new JsonKeyText();
  /** Objects, arrays and commas so far. */
  #members = 0;
  #inString = false;
  #inKey = false;
  /** Where the current chunk's part of the key being read starts. */
  #keyPieceStart = 0;
  /** A chunk boundary cut the key being read: `#key` collects its parts. */
  #keyCut = false;
  #keyEscaped = false;
  #escapePending = false;

  constructor(limits: JsonShapeLimits) {
    this.#limits = limits;
    this.#maxRootArrayItems = limits.maxRootArrayItems ?? limits.maxArrayItems;
  }

  push(bytes: Uint8Array): void {
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let position = 0;
    while (position < chunk.length) {
      position = this.#inString ? this.#skipString(chunk, position) : this.#scanStructure(chunk, position);
    }
    // A key opened by the chunk's last byte: the chunk is not kept, so its (empty) part is collected now.
    if (this.#inString && this.#inKey && !this.#keyCut) this.#cutKey(chunk);
  }

  #scanStructure(chunk: Buffer, start: number): number {
    const frames = this.#frames;
    for (let position = start; position < chunk.length; position++) {
      const byte = chunk[position];
      if (byte === quote) {
        this.#inString = true;
        const frame = frames[frames.length - 1];
        this.#inKey = frame?.isObject === true && frame.expectingKey;
        if (this.#inKey) {
          this.#keyPieceStart = position + 1;
          this.#keyCut = false;
          this.#keyEscaped = false;
        }
        return position + 1;
      }
      if (byte === 0x7b || byte === 0x5b) {
        if (frames.length >= this.#limits.maxDepth) throw this.#exceeded('maxDepth', this.#limits.maxDepth);
        if (++this.#members > this.#limits.maxMembers) throw this.#exceeded('maxMembers', this.#limits.maxMembers);
        const isRootArray = byte === 0x5b && frames.length === 1 && frames[0]?.isObject === true;
        frames.push({
          isObject: byte === 0x7b,
          maxItems: isRootArray ? this.#maxRootArrayItems : this.#limits.maxArrayItems,
          itemsLimit: isRootArray ? 'maxRootArrayItems' : 'maxArrayItems',
          commas: 0,
          keyChunk: undefined,
          keyStart: 0,
          keyEnd: 0,
          keyEscaped: false,
          keyText: undefined,
          expectingKey: byte === 0x7b,
        });
      } else if (byte === 0x7d || byte === 0x5d) frames.pop();
      else if (byte === 0x2c) this.#nextMember();
    }
    return chunk.length;
  }

  #nextMember(): void {
    const frame = this.#frames[this.#frames.length - 1];
    if (!frame) return;
    if (++this.#members > this.#limits.maxMembers) throw this.#exceeded('maxMembers', this.#limits.maxMembers);
    frame.commas += 1;
    if (frame.isObject) {
      frame.keyChunk = undefined;
      frame.keyText = undefined;
      frame.expectingKey = true;
      if (frame.commas >= this.#limits.maxKeysPerObject) throw this.#exceeded('maxKeysPerObject', this.#limits.maxKeysPerObject);
    } else if (frame.commas >= frame.maxItems) throw this.#exceeded(frame.itemsLimit, frame.maxItems);
  }

  /**
   * Inside a string: to its closing quote, stepping over escapes. A key is
   * only located, not copied, unless a chunk boundary cuts it: its text is
   * needed only to name the place of an error.
   */
  #skipString(chunk: Buffer, start: number): number {
    let position = start;
    if (this.#inKey && this.#keyCut) this.#keyPieceStart = start;
    if (this.#escapePending) {
      this.#escapePending = false;
      position += 1;
    }
    while (position < chunk.length) {
      const near = nearQuoteOrBackslash(chunk, position);
      const search = near === -1 ? this.#searchIn(chunk) : undefined;
      const closing = search ? search.find(quote, position) : chunk[near] === quote ? near : -2;
      const escapeAt = search ? search.find(backslash, position) : chunk[near] === backslash ? near : -1;
      if (escapeAt !== -1 && (closing < 0 || escapeAt < closing)) {
        if (this.#inKey) this.#keyEscaped = true;
        if (escapeAt + 1 >= chunk.length) {
          this.#escapePending = true;
          this.#cutKey(chunk);
          return chunk.length;
        }
        position = escapeAt + 2;
        continue;
      }
      if (closing === -1) {
        this.#cutKey(chunk);
        return chunk.length;
      }
      this.#inString = false;
      if (this.#inKey) this.#endKey(chunk, closing);
      return closing + 1;
    }
    this.#cutKey(chunk);
    return position;
  }

  #searchIn(chunk: Buffer): ChunkSearch {
    this.#search ??= new ChunkSearch([quote, backslash], noMarker);
    if (this.#searchChunk !== chunk) {
      this.#search.reset(chunk);
      this.#searchChunk = chunk;
    }
    return this.#search;
  }

  /** The chunk ends inside a key: what it holds of the key is collected, since the chunk is not kept. */
  #cutKey(chunk: Buffer): void {
    if (!this.#inKey) return;
    if (!this.#keyCut) {
      this.#key.start();
      this.#keyCut = true;
    }
    this.#key.add(chunk, this.#keyPieceStart, chunk.length);
  }

  #endKey(chunk: Buffer, closing: number): void {
    const frame = this.#frames[this.#frames.length - 1] as Frame;
    frame.expectingKey = false;
    frame.keyEscaped = this.#keyEscaped;
    if (!this.#keyCut) {
      frame.keyChunk = chunk;
      frame.keyStart = this.#keyPieceStart;
      frame.keyEnd = closing;
      frame.keyText = undefined;
      return;
    }
    this.#key.add(chunk, this.#keyPieceStart, closing);
    if (this.#keyEscaped) this.#key.markEscape();
    frame.keyChunk = undefined;
    frame.keyText = this.#key.finish();
    this.#keyCut = false;
  }

  /** The error, naming the object or array at fault: the path from the root to it. */
  #exceeded(limit: keyof JsonShapeLimits, allowed: number): JsonShapeLimitError {
    const path: Array<string | number> = [];
    // The last frame is the container at fault; the ones before it say where it sits.
    if (limit === 'maxMembers') return new JsonShapeLimitError(limit, allowed, path);
    for (let index = 0; index < this.#frames.length - (limit === 'maxDepth' ? 0 : 1); index++) {
      const frame = this.#frames[index] as Frame;
      if (!frame.isObject) {
        path.push(frame.commas);
        continue;
      }
      const key = keyOf(frame);
      if (key === undefined) break;
      path.push(key);
    }
    return new JsonShapeLimitError(limit, allowed, path);
  }
}

/** How far ahead a plain loop looks for a string's end before asking Buffer.indexOf. */
const nearWindow = 64;

/**
 * The first quote or backslash within `nearWindow` bytes of `start`, or -1:
 * most keys and values end within a few bytes, where a loop is cheaper
 * than a native search call; long strings (images) go to the search.
 */
function nearQuoteOrBackslash(chunk: Buffer, start: number): number {
  const end = Math.min(chunk.length, start + nearWindow);
  for (let position = start; position < end; position++) {
    const byte = chunk[position];
    if (byte === quote || byte === backslash) return position;
  }
  return -1;
}

/** The text of a frame's current key, decoded as JSON.parse would; undefined when there is none or it is not valid. */
function keyOf(frame: Frame): string | undefined {
  if (!frame.keyChunk) return frame.keyText;
  if (frame.keyEnd - frame.keyStart > maxKeyLength) return undefined;
  const raw = frame.keyChunk.toString('utf8', frame.keyStart, frame.keyEnd);
  if (!frame.keyEscaped) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}
