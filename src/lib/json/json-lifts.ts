import type { LiftedString } from './json-lifted-string.js';
import type { JsonPath } from './json-path-tracker.js';
import { TextWithLifts } from './json-text-with-lifts.js';

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
  /**
   * Whether the string value at `path` may hold image data URLs whose
   * payloads count as image data, not text, in `liftableBytes()`: the bytes
   * after each `data:image/…;base64,` up to the first byte outside the base64
   * alphabet (an escaped `\/` included). They are only counted, never
   * lifted: the string parses as JSON.parse reads it. A chunk boundary inside
   * the `data:image/…;base64,` header leaves that payload counted as text
   * (rare with 64 KiB chunks: the header is a few dozen bytes). Asked only
   * when `liftAt` and `liftPayloadsAt` say no.
   */
  countPayloadsAt?(path: JsonPath): boolean;
  /** Shorter strings stay in the JSON text (default 64 KiB): lifting pays off only for big values. */
  minimumLength?: number;
  /**
   * Bytes kept unscanned at the start (default `minimumLength`): a document
   * shorter than the shortest string worth lifting is never scanned. 0 for a
   * caller that already held back a short document and feeds the rest in
   * pieces, each to be scanned as it comes.
   */
  holdBytes?: number;
}

/** What a reader read: the JSON text without its lifted strings, and the value with them put back. */
export interface LiftedJson {
  /** The JSON text with each lifted string replaced by a short placeholder; the input itself when nothing was lifted. */
  readonly text: string;
  /** `JSON.parse` of the text with each lifted string back in place as a `LiftedString`; throws `SyntaxError` as JSON.parse does. */
  parse(): unknown;
}

export interface Lift {
  path: JsonPath;
  placeholder: string;
  value: LiftedString;
  /** A payload inside a longer string, not the whole string. */
  inside: boolean;
}

/** The reader's result: `text` as read, and a `parse()` that puts every lifted string back where it was. */
export function liftedJson(text: string, lifts: readonly Lift[]): LiftedJson {
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
