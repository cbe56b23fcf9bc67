/**
 * The shortest piece of a secret's form that is looked for. Any echo of 12
 * characters or more holds a whole window starting at a multiple of
 * `windowStep`, and a form's beginning is a window, so a prefix of 10
 * characters is found too.
 */
export const echoWindowLength = 10;
const windowStep = 3;
/** The shortest echo found anywhere in a form: a window plus the step it may start before one, less one. */
export const shortestPartialEcho = echoWindowLength + windowStep - 1;
/** A text's end this long that appears inside a form is held back in a stream: it may go on to be an echo. */
const shortestHeldMiddle = 4;
const hashBase = 257;

/**
 * The forms in which a secret comes back from an upstream that echoes it:
 * as written, reversed, percent-encoded, and in base64 (standard and
 * URL-safe alphabets) at each of the three byte alignments it can have
 * inside a longer encoded string (`Basic base64(user:key)`), keeping only
 * the characters that depend on the secret's bytes alone.
 *
 * @example
 * secretForms('relaykeyNOPREFIX9876'); // ['relaykeyNOPREFIX9876', '6789XIFERPONyekyaler', 'cmVsYXlrZXlOT1BSRUZJWDk4NzY', ...]
 */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret, Array.from(secret).reverse().join('')]);
  forms.add(encodeURIComponent(secret));
  const bytes = new TextEncoder().encode(secret);
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    const encoded = base64(padded);
    // Characters before `start` mix in bytes ahead of the secret; from `end` on, bytes after it (or padding).
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const stable = encoded.slice(start, end);
    forms.add(stable);
    forms.add(stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms].filter((form) => form.length > 0);
}

interface WindowAt {
  form: string;
  position: number;
}

/**
 * Finds echoes of configured secrets in text, whole or in part, in any of
 * their `secretForms`, in one pass over the text (a rolling hash of each
 * `echoWindowLength`-character window, looked up in a table of the forms'
 * windows), so model text and error messages cost linear time however many
 * secrets there are. A secret shorter than a window is found only whole, in
 * the forms as long as a window. What is found: any form whole; its first
 * 10 characters or more; any other part of 12 characters or more.
 *
 * @example
 * const echoes = new SecretEchoes(['relaykeyNOPREFIX9876']);
 * echoes.redact('key relaykeyNOPRE…', '[redacted]'); // 'key [redacted]…'
 */
export class SecretEchoes {
  readonly #windows = new Map<number, WindowAt[]>();
  readonly #forms: string[] = [];
  /** The secrets as written: a stream holds back any beginning of one. */
  readonly #secrets: readonly string[];
  /** Secrets shorter than a window, longest first, found as written only. */
  readonly #short: string[];
  readonly #longestForm: number;
  readonly #highPower: number;

  constructor(secrets: readonly string[]) {
    this.#secrets = secrets;
    this.#short = secrets.filter((secret) => secret.length < echoWindowLength).sort((a, b) => b.length - a.length);
    for (const secret of secrets) {
      if (secret.length < echoWindowLength) continue;
      for (const form of secretForms(secret)) if (form.length >= echoWindowLength) this.#addForm(form);
    }
    this.#longestForm = Math.max(0, ...this.#forms.map((form) => form.length), ...this.#short.map((secret) => secret.length));
    let power = 1;
    for (let index = 1; index < echoWindowLength; index++) power = Math.imul(power, hashBase);
    this.#highPower = power;
  }

  /** Whether there is anything to look for. */
  get empty(): boolean {
    return this.#forms.length === 0 && this.#short.length === 0;
  }

  /** `text` with every echo replaced by `mark`. */
  redact(text: string, mark: string): string {
    let result = '';
    let copiedTo = 0;
    for (const [start, end] of this.#spans(text)) {
      result += text.slice(copiedTo, start) + mark;
      copiedTo = end;
    }
    result = copiedTo === 0 ? text : result + text.slice(copiedTo);
    for (const secret of this.#short) if (result.includes(secret)) result = result.split(secret).join(mark);
    return result;
  }

  /**
   * How many characters at the end of `text` a stream should hold back
   * until more text comes: the longest end that a secret begins with, or,
   * from 4 characters, that appears anywhere in one of its forms (an echo
   * may go on). So a secret as written is never let out in part; a
   * reversed or encoded one may lose its first three characters to a cut.
   */
  heldEnd(text: string): number {
    let longest = 0;
    for (const form of this.#secrets) {
      const first = form.charCodeAt(0);
      for (let start = Math.max(0, text.length - form.length + 1); start < text.length - longest; start++) {
        if (text.charCodeAt(start) === first && form.startsWith(text.slice(start))) {
          longest = text.length - start;
          break;
        }
      }
    }
    // A middle of a form: every shorter end of it is one too, so the first length that is not ends the search.
    let middle = 0;
    for (let length = shortestHeldMiddle; length <= Math.min(text.length, this.#longestForm); length++) {
      const end = text.slice(text.length - length);
      if (!this.#forms.some((form) => form.includes(end))) break;
      middle = length;
    }
    return Math.max(longest, middle);
  }

  #addForm(form: string): void {
    this.#forms.push(form);
    const positions = new Set<number>();
    for (let position = 0; position + echoWindowLength <= form.length; position += windowStep) positions.add(position);
    positions.add(form.length - echoWindowLength);
    for (const position of positions) {
      const hash = windowHash(form, position);
      const list = this.#windows.get(hash);
      if (list) list.push({ form, position });
      else this.#windows.set(hash, [{ form, position }]);
    }
  }

  /** The [start, end) ranges of `text` that echo a form, in order, not overlapping. */
  #spans(text: string): Array<[number, number]> {
    const spans: Array<[number, number]> = [];
    if (this.#windows.size === 0 || text.length < echoWindowLength) return spans;
    let hash = windowHash(text, 0);
    let coveredTo = 0;
    for (let position = 0; position + echoWindowLength <= text.length; position++) {
      if (position > 0) {
        const leaving = Math.imul(text.charCodeAt(position - 1), this.#highPower);
        hash = (Math.imul(hash - leaving, hashBase) + text.charCodeAt(position + echoWindowLength - 1)) | 0;
      }
      if (position < coveredTo) continue;
      const candidates = this.#windows.get(hash);
      if (!candidates) continue;
      let best: [number, number] | undefined;
      for (const candidate of candidates) {
        const span = echoAround(text, position, candidate, coveredTo);
        if (span && (!best || span[1] - span[0] > best[1] - best[0])) best = span;
      }
      if (best) {
        spans.push(best);
        coveredTo = best[1];
      }
    }
    return spans;
  }
}

/** The echo of `window.form` whose window sits at `position` of `text`, grown both ways as far as the two agree. */
function echoAround(text: string, position: number, window: WindowAt, notBefore: number): [number, number] | undefined {
  const { form } = window;
  for (let index = 0; index < echoWindowLength; index++) {
    if (text.charCodeAt(position + index) !== form.charCodeAt(window.position + index)) return undefined;
  }
  let back = 0;
  while (
    position - back - 1 >= notBefore &&
    window.position - back - 1 >= 0 &&
    text.charCodeAt(position - back - 1) === form.charCodeAt(window.position - back - 1)
  ) {
    back++;
  }
  let ahead = echoWindowLength;
  while (
    position + ahead < text.length &&
    window.position + ahead < form.length &&
    text.charCodeAt(position + ahead) === form.charCodeAt(window.position + ahead)
  ) {
    ahead++;
  }
  return [position - back, position + ahead];
}

function windowHash(text: string, start: number): number {
  let hash = 0;
  for (let index = start; index < start + echoWindowLength; index++) hash = (Math.imul(hash, hashBase) + text.charCodeAt(index)) | 0;
  return hash;
}

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding, without Buffer (lib/ runs on any host). */
function base64(bytes: Uint8Array): string {
  let out = '';
  for (let index = 0; index < bytes.length; index += 3) {
    const a = bytes[index] as number;
    const b = bytes[index + 1];
    const c = bytes[index + 2];
    const triple = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += base64Alphabet[(triple >> 18) & 63];
    out += base64Alphabet[(triple >> 12) & 63];
    out += b === undefined ? '=' : base64Alphabet[(triple >> 6) & 63];
    out += c === undefined ? '=' : base64Alphabet[triple & 63];
  }
  return out;
}
