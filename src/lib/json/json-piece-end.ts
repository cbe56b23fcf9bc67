const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
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
 * long string, at `start + pieceBytes`. A piece with no quote, backslash or
 * comma at all is plain text inside one long string (the base64 of an
 * image), cheap to scan: it runs on to its next such byte, up to
 * `longPieceBytes`. A cut in a string is moved past any `;` near it: a
 * `JsonLiftingReader` finds a `data:image/…;base64,` header only within one
 * piece, and a cut never falls inside one.
 *
 * @example
 * for (let offset = 0; offset < chunk.length; ) {
 *   const end = jsonPieceEnd(chunk, offset, 8192, 65536);
 *   reader.push(chunk.subarray(offset, end));
 *   offset = end;
 * }
 */
export function jsonPieceEnd(chunk: Uint8Array, start: number, pieceBytes: number, longPieceBytes = pieceBytes): number {
  const limit = start + pieceBytes;
  if (chunk.length <= limit) return chunk.length;
  const secondHalf = start + (pieceBytes >>> 1);
  const lastQuote = chunk.subarray(secondHalf, limit).lastIndexOf(quote);
  if (lastQuote !== -1) return secondHalf + lastQuote + 1;
  let cut = limit;
  if (longPieceBytes > pieceBytes && isPlain(chunk.subarray(start, limit))) {
    const far = Math.min(chunk.length, start + longPieceBytes);
    const rest = chunk.subarray(limit, far);
    cut = limit + firstOf(rest, quote, firstOf(rest, backslash, firstOf(rest, comma, rest.length)));
  }
  for (let moves = 0; moves < maxMoves && cut < chunk.length; moves++) {
    // A cut inside a header or marker has a `;` less than a header's length after it, or less than a marker's before.
    const near = chunk.subarray(cut - markerLength + 1, cut + maxHeaderLength).indexOf(semicolon);
    if (near === -1) return cut;
    cut = Math.min(chunk.length, cut - markerLength + 1 + near + markerLength);
  }
  return cut;
}

function isPlain(window: Uint8Array): boolean {
  return window.indexOf(quote) === -1 && window.indexOf(backslash) === -1 && window.indexOf(comma) === -1;
}

/** The first `byte` in `bytes` before `before`, else `before`. */
function firstOf(bytes: Uint8Array, byte: number, before: number): number {
  const found = bytes.subarray(0, before).indexOf(byte);
  return found === -1 ? before : found;
}
