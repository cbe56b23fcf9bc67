/** Where a value sits: object keys and array indices from the root. */
export type JsonPath = readonly (string | number)[];

interface ObjectFrame {
  kind: 'object';
  /** The key of the value being read; undefined between members, or when the key is too long to matter. */
  key: string | undefined;
  expectingKey: boolean;
}

interface ArrayFrame {
  kind: 'array';
  index: number;
}

/** Paths deeper than this are not followed, which bounds the work per string on adversarial nesting. */
const maxDepth = 16;

/**
 * Follows the path of the value being read from the structural characters
 * of JSON text (`{ [ } ] ,` and the keys), without checking the text is
 * valid: JSON.parse judges that later, and on valid text the path is exact.
 */
export class JsonPathTracker {
  readonly #frames: Array<ObjectFrame | ArrayFrame> = [];
  /** Levels opened beyond `maxDepth`. */
  #untrackedDepth = 0;

  open(isObject: boolean): void {
    if (this.#untrackedDepth > 0 || this.#frames.length >= maxDepth) this.#untrackedDepth += 1;
    else this.#frames.push(isObject ? { kind: 'object', key: undefined, expectingKey: true } : { kind: 'array', index: 0 });
  }

  close(): void {
    if (this.#untrackedDepth > 0) this.#untrackedDepth -= 1;
    else this.#frames.pop();
  }

  /** A comma: the next member of an object (a key follows) or the next item of an array. */
  nextMember(): void {
    if (this.#untrackedDepth > 0) return;
    const frame = this.#frames.at(-1);
    if (frame?.kind === 'object') {
      frame.key = undefined;
      frame.expectingKey = true;
    } else if (frame) frame.index += 1;
  }

  /** Whether a string starting now is an object's key. */
  expectsKey(): boolean {
    const frame = this.#untrackedDepth > 0 ? undefined : this.#frames.at(-1);
    return frame?.kind === 'object' && frame.expectingKey;
  }

  /** The key just read (undefined when it cannot name a path we follow). */
  setKey(key: string | undefined): void {
    const frame = this.#frames.at(-1);
    if (frame?.kind !== 'object') return;
    frame.key = key;
    frame.expectingKey = false;
  }

  /** The path of a value starting now; undefined at the root, too deep, or after a key that was not kept. */
  currentPath(): JsonPath | undefined {
    if (this.#untrackedDepth > 0 || this.#frames.length === 0) return undefined;
    const path: Array<string | number> = [];
    for (const frame of this.#frames) {
      if (frame.kind === 'array') path.push(frame.index);
      else if (frame.key === undefined) return undefined;
      else path.push(frame.key);
    }
    return path;
  }
}
