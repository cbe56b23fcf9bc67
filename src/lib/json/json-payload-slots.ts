import type { Piece } from '../body-pieces.js';

/** A placeholder no text from a provider can forge: its text is only known to this process. */
const slotPrefix = `\u0000payload:${crypto.randomUUID()}:`;
/** The placeholder as JSON.stringify writes it (the NUL escaped), with the slot number captured. */
const serialisedSlot = new RegExp(`${JSON.stringify(slotPrefix).slice(1, -1).replaceAll('\\', '\\\\')}(\\d+);`);

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
 * slots.stringify({ url: slots.slot(['data:image/png;base64,', imageBase64Bytes]) });
 * // ['{"url":"', 'data:image/png;base64,', <Buffer ...>, '"}']
 */
export class PayloadSlots {
  readonly #payloads: (readonly Piece[])[] = [];

  /** A stand-in for `payload`, which must be JSON string content already (such as `dataUrlPieces` of images/image-json-pieces.ts gives). */
  slot(payload: readonly Piece[]): string {
    this.#payloads.push(payload);
    return `${slotPrefix}${this.#payloads.length - 1};`;
  }

  stringify(value: unknown): Piece[] {
    const json = JSON.stringify(value);
    if (this.#payloads.length === 0) return [json];
    const parts = json.split(serialisedSlot);
    const pieces: Piece[] = [];
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
