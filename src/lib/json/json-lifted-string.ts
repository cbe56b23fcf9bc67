/**
 * A long JSON string value kept as the bytes it arrived in: printable ASCII
 * (what base64 and data URLs are made of), so its bytes are its characters
 * and also its JSON text. The pieces are views of the received chunks, never
 * copied, and nothing here touches them all unless `toString()` is asked for.
 *
 * @example
 * const url = new LiftedString([Buffer.from('data:image/png;base64,'), Buffer.from('iVBORw0KGgo')]);
 * url.head(5);            // "data:"
 * url.slice(22).pieces;   // [<Buffer 69 56 42 ...>], no copy
 */
export class LiftedString {
  readonly pieces: readonly Buffer[];
  readonly length: number;

  constructor(pieces: readonly Buffer[]) {
    this.pieces = pieces;
    let length = 0;
    for (const piece of pieces) length += piece.length;
    this.length = length;
  }

  /** The first `count` characters (fewer when the string is shorter). */
  head(count: number): string {
    let text = '';
    for (const piece of this.pieces) {
      if (text.length >= count) break;
      text += piece.toString('latin1', 0, Math.min(piece.length, count - text.length));
    }
    return text;
  }

  /** Where `character` (one ASCII character) first occurs, or -1: a memchr per piece, no copy. */
  indexOf(character: string): number {
    const byte = character.charCodeAt(0);
    let offset = 0;
    for (const piece of this.pieces) {
      const found = piece.indexOf(byte);
      if (found !== -1) return offset + found;
      offset += piece.length;
    }
    return -1;
  }

  /** The characters from `start` on, as views of the same bytes. */
  slice(start: number): LiftedString {
    const pieces: Buffer[] = [];
    let skip = start;
    for (const piece of this.pieces) {
      if (skip >= piece.length) {
        skip -= piece.length;
        continue;
      }
      pieces.push(skip > 0 ? piece.subarray(skip) : piece);
      skip = 0;
    }
    return new LiftedString(pieces);
  }

  /** The whole string: one copy of every byte, for the rare consumer that needs a real string. */
  toString(): string {
    return Buffer.concat(this.pieces as Buffer[]).toString('latin1');
  }
}
