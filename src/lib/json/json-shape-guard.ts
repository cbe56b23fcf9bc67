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
  /** Commas seen: the members or items so far, less one. */
  commas: number;
  /** The key of the member being read (objects), when it was short enough to keep. */
  key: string | undefined;
  expectingKey: boolean;
}

const quote = 0x22;
const backslash = 0x5c;
const noMarker = Buffer.from([0]);

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
  readonly #frames: Frame[] = [];
  readonly #search = new ChunkSearch([quote, backslash], noMarker);
  readonly #key = new JsonKeyText();
  #inString = false;
  #inKey = false;
  #escapePending = false;

  constructor(limits: JsonShapeLimits) {
    this.#limits = limits;
  }

  push(bytes: Uint8Array): void {
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#search.reset(chunk);
    let position = 0;
    while (position < chunk.length) {
      position = this.#inString ? this.#skipString(chunk, position) : this.#scanStructure(chunk, position);
    }
  }

  #scanStructure(chunk: Buffer, start: number): number {
    const frames = this.#frames;
    for (let position = start; position < chunk.length; position++) {
      const byte = chunk[position];
      if (byte === quote) {
        this.#inString = true;
        const frame = frames[frames.length - 1];
        this.#inKey = frame?.isObject === true && frame.expectingKey;
        if (this.#inKey) this.#key.start();
        return position + 1;
      }
      if (byte === 0x7b || byte === 0x5b) {
        if (frames.length >= this.#limits.maxDepth) throw this.#exceeded('maxDepth', this.#limits.maxDepth);
        frames.push({ isObject: byte === 0x7b, commas: 0, key: undefined, expectingKey: byte === 0x7b });
      } else if (byte === 0x7d || byte === 0x5d) frames.pop();
      else if (byte === 0x2c) this.#nextMember();
    }
    return chunk.length;
  }

  #nextMember(): void {
    const frame = this.#frames[this.#frames.length - 1];
    if (!frame) return;
    frame.commas += 1;
    if (frame.isObject) {
      frame.key = undefined;
      frame.expectingKey = true;
      if (frame.commas >= this.#limits.maxKeysPerObject) throw this.#exceeded('maxKeysPerObject', this.#limits.maxKeysPerObject);
    } else if (frame.commas >= this.#limits.maxArrayItems) throw this.#exceeded('maxArrayItems', this.#limits.maxArrayItems);
  }

  /** Inside a string: to its closing quote, stepping over escapes; a key's bytes are kept to name paths. */
  #skipString(chunk: Buffer, start: number): number {
    let position = start;
    if (this.#escapePending) {
      this.#escapePending = false;
      if (this.#inKey) this.#key.add(chunk, position, position + 1);
      position += 1;
    }
    while (position < chunk.length) {
      const closing = this.#search.find(quote, position);
      const escapeAt = this.#search.find(backslash, position);
      if (escapeAt !== -1 && (closing === -1 || escapeAt < closing)) {
        if (this.#inKey) {
          this.#key.markEscape();
          this.#key.add(chunk, position, escapeAt + 2);
        }
        if (escapeAt + 1 >= chunk.length) {
          this.#escapePending = true;
          return chunk.length;
        }
        position = escapeAt + 2;
        continue;
      }
      const end = closing === -1 ? chunk.length : closing;
      if (this.#inKey) this.#key.add(chunk, position, end);
      if (closing === -1) return chunk.length;
      this.#inString = false;
      if (this.#inKey) {
        const frame = this.#frames[this.#frames.length - 1] as Frame;
        frame.key = this.#key.finish();
        frame.expectingKey = false;
      }
      return closing + 1;
    }
    return position;
  }

  /** The error, naming the object or array at fault: the path from the root to it. */
  #exceeded(limit: keyof JsonShapeLimits, allowed: number): JsonShapeLimitError {
    const path: Array<string | number> = [];
    // The last frame is the container at fault; the ones before it say where it sits.
    for (let index = 0; index < this.#frames.length - (limit === 'maxDepth' ? 0 : 1); index++) {
      const frame = this.#frames[index] as Frame;
      if (!frame.isObject) path.push(frame.commas);
      else if (frame.key === undefined) break;
      else path.push(frame.key);
    }
    return new JsonShapeLimitError(limit, allowed, path);
  }
}
