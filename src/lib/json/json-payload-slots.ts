import type { ImageData } from '../../images/image-data.js';

/** A piece of a response body: text (written as UTF-8) or bytes written as they are. */
export type BodyPiece = string | Uint8Array;

/** Anything but the base64 alphabets: text with none of it needs no JSON escaping (a 15 MB scan takes ~13 ms; JSON.stringify ~45). */
const notBase64 = /[^A-Za-z0-9+/=_-]/;

/** A placeholder no text from a provider can forge: its text is only known to this process. */
const slotPrefix = `\u0000payload:${crypto.randomUUID()}:`;
/** The placeholder as JSON.stringify writes it (the NUL escaped), with the slot number captured. */
const serialisedSlot = new RegExp(`${JSON.stringify(slotPrefix).slice(1, -1).replaceAll('\\', '\\\\')}(\\d+);`);

/**
 * An image's data URL as it reads inside a JSON string, in pieces: bytes an
 * image holds as received (checked printable ASCII when they were lifted out
 * of the upstream's JSON) go as they are; text is escaped as JSON.stringify
 * would escape it, and non-ASCII as `\uXXXX`, which for clean base64 means
 * left as it is.
 */
export function dataUrlPieces(image: ImageData): BodyPiece[] {
  return [jsonStringContent(`data:${image.mediaType};base64,`), ...base64Pieces(image)];
}

/** An image's base64 alone as it reads inside a JSON string, in pieces (see `dataUrlPieces`). */
export function base64Pieces(image: ImageData): BodyPiece[] {
  return image.base64Parts().map((part) => (typeof part === 'string' ? jsonStringContent(part) : part));
}

/** JSON string content in ASCII: the SSE writer sends payload text as single bytes. */
function jsonStringContent(text: string): string {
  if (!notBase64.test(text)) return text;
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(/[\u007f-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * JSON text with big ASCII payloads (base64 images) written beside it
 * rather than inside it: `slot(payload)` gives a short stand-in to put
 * inside any string of the value, and `stringify` serialises the value and
 * puts each payload's pieces where its stand-in landed. The payload is
 * never copied into the JSON text, escaped or re-encoded; base64 and data
 * URL headers need no JSON escaping, so the result is the same text
 * JSON.stringify would write with the payload inline.
 *
 * @example
 * const slots = new PayloadSlots();
 * slots.stringify({ url: slots.slot(dataUrlPieces(image)) });
 * // ['{"url":"', 'data:image/png;base64,', <Buffer ...>, '"}']
 */
export class PayloadSlots {
  readonly #payloads: (readonly BodyPiece[])[] = [];

  /** A stand-in for `payload`, which must be JSON string content already (see `dataUrlPieces`). */
  slot(payload: readonly BodyPiece[]): string {
    this.#payloads.push(payload);
    return `${slotPrefix}${this.#payloads.length - 1};`;
  }

  stringify(value: unknown): BodyPiece[] {
    const json = JSON.stringify(value);
    if (this.#payloads.length === 0) return [json];
    const parts = json.split(serialisedSlot);
    const pieces: BodyPiece[] = [];
    parts.forEach((part, index) => {
      if (index % 2 === 0) {
        if (part !== '') pieces.push(part);
      } else {
        for (const piece of this.#payloads[Number(part)] ?? []) pieces.push(piece);
      }
    });
    return pieces;
  }
}

/**
 * The pieces as one buffer of exactly their size: for a request body with
 * megabytes of base64, one allocation and one copy of each piece, instead
 * of a JSON string that the HTTP client then encodes into bytes again.
 */
export function joinBodyPieces(pieces: readonly BodyPiece[]): string | Uint8Array<ArrayBuffer> {
  const [only] = pieces;
  if (pieces.length === 1 && typeof only === 'string') return only;
  const encoder = new TextEncoder();
  const parts = pieces.map((piece) => (typeof piece === 'string' ? encoder.encode(piece) : piece));
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const body = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}
