const quote = 0x22;
const semicolon = 0x3b;
/** Bytes of a `;base64,` marker, and the longest `data:image/<type>` a lifting reader looks back for before one. */
const markerLength = 8;
const maxHeaderLength = 64;
/** How often a cut is moved past a `;` before it is made anyway (text of semicolons only). */
const maxMoves = 4;

/**
 * Where to end a piece of JSON text that starts at `start` of `chunk`, so
 * that pieces of about `pieceBytes` can be scanned one at a time: the whole
 * rest when it is no longer, else just after the last quote in the piece's
 * second half (between two strings, or at the start of one), else, inside a
 * long string, at `start + pieceBytes` moved past any `;` near it. A
 * `JsonLiftingReader` finds a `data:image/…;base64,` header only within
 * one piece; a cut never falls inside one.
 *
 * @example
 * for (let offset = 0; offset < chunk.length; ) {
 *   const end = jsonPieceEnd(chunk, offset, 8192);
 *   reader.push(chunk.subarray(offset, end));
 *   offset = end;
 * }
 */
export function jsonPieceEnd(chunk: Uint8Array, start: number, pieceBytes: number): number {
  const limit = start + pieceBytes;
  if (chunk.length <= limit) return chunk.length;
  const secondHalf = start + (pieceBytes >>> 1);
  const lastQuote = chunk.subarray(secondHalf, limit).lastIndexOf(quote);
  if (lastQuote !== -1) return secondHalf + lastQuote + 1;
  let cut = limit;
  for (let moves = 0; moves < maxMoves && cut < chunk.length; moves++) {
    // A cut inside a header or marker has a `;` less than a header's length after it, or less than a marker's before.
    const near = chunk.subarray(cut - markerLength + 1, cut + maxHeaderLength).indexOf(semicolon);
    if (near === -1) return cut;
    cut = Math.min(chunk.length, cut - markerLength + 1 + near + markerLength);
  }
  return cut;
}
