import { LiftedString } from './json-lifted-string.js';

/**
 * Starts every placeholder the lifting reader puts where it took a string or
 * a payload out. Upstreams cannot forge it: the id is only known to this
 * process, and a NUL never appears raw in JSON text.
 */
export const liftTokenPrefix = `\u0000lifted:${crypto.randomUUID()}:`;
/** Ends a payload token, so that the characters after it are never read as part of its number. */
export const liftTokenEnd = '\u0000';

/**
 * A string value whose long base64 payloads were lifted out of it as they
 * arrived (see `liftPayloadsAt` in JsonLiftingReader): `text` is the string
 * with a short token where each payload was, so markdown around a 15 MB
 * data URL can be scanned as a few bytes of text. Fragments of `text` get
 * their payloads back with `restoreText` (a copy, for the rare text that was
 * not an image) or `restoreUrl` (the received bytes, for a data URL).
 *
 * @example
 * const content = value.choices[0].message.content; // TextWithLifts
 * const [segment] = scanner.push(content.text);      // an image whose url holds a token
 * content.restoreUrl(segment.url);                   // LiftedString 'data:image/png;base64,iVBOR...'
 */
export class TextWithLifts {
  readonly text: string;
  readonly #lifts = new Map<string, LiftedString>();

  constructor(text: string) {
    this.text = text;
  }

  /** Records what `token` (found in `text`) stands for. */
  add(token: string, value: LiftedString): void {
    this.#lifts.set(token, value);
  }

  /** Takes over the payloads of `other`, for text that goes on in later pieces (a stream's deltas). */
  adopt(other: TextWithLifts): void {
    for (const [token, value] of other.#lifts) this.#lifts.set(token, value);
  }

  /** Whether `fragment` may hold a token; cheap enough to ask of every fragment. */
  static mayHoldToken(fragment: string): boolean {
    return fragment.includes(liftTokenPrefix);
  }

  /** `fragment` with every payload it holds back in place, as one string. A payload is given back once. */
  restoreText(fragment: string): string {
    const parts = this.#parts(fragment);
    if (parts.length === 1) return fragment;
    this.#forget(fragment);
    return parts.map((part) => (typeof part === 'string' ? part : part.toString())).join('');
  }

  /**
   * `fragment` (a URL) with its payloads back: as the received bytes when it
   * holds one and the rest is ASCII, as `data:` URLs are; otherwise as text.
   */
  restoreUrl(fragment: string): string | LiftedString {
    const parts = this.#parts(fragment);
    if (parts.length === 1) return fragment;
    const pieces: Buffer[] = [];
    for (const part of parts) {
      if (typeof part !== 'string') pieces.push(...part.pieces);
      else if (!/^[\x20-\x7e]*$/.test(part)) return this.restoreText(fragment);
      else if (part !== '') pieces.push(Buffer.from(part, 'latin1'));
    }
    this.#forget(fragment);
    return new LiftedString(pieces);
  }

  /** Drops the payloads `fragment` gave back, so a long stream does not hold every image it passed on. */
  #forget(fragment: string): void {
    for (const token of this.#lifts.keys()) if (fragment.includes(token)) this.#lifts.delete(token);
  }

  /** The fragment split at its tokens; a token this text does not know stays text. */
  #parts(fragment: string): Array<string | LiftedString> {
    const parts: Array<string | LiftedString> = [];
    let textStart = 0;
    let searchFrom = 0;
    while (true) {
      const at = fragment.indexOf(liftTokenPrefix, searchFrom);
      if (at === -1) break;
      const end = fragment.indexOf(liftTokenEnd, at + liftTokenPrefix.length);
      const value = end === -1 ? undefined : this.#lifts.get(fragment.slice(at, end + 1));
      if (!value) {
        searchFrom = at + 1;
        continue;
      }
      parts.push(fragment.slice(textStart, at), value);
      textStart = end + 1;
      searchFrom = textStart;
    }
    parts.push(fragment.slice(textStart));
    return parts;
  }
}
