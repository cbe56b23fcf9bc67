/** How many characters of base64 go through the decoder at once: small strings that die young. */
const sliceCharacters = 256 * 1024;

/**
 * Decodes base64 held as ASCII bytes in pieces (views of a request body's
 * chunks), a slice at a time, straight into one buffer of `decodedLength`
 * bytes: the whole text never becomes a string. Slices are cut at multiples
 * of four characters, so they decode to exactly what the whole text would.
 *
 * Node's decoder skips characters that are not base64 instead of failing,
 * so every slice must decode to the bytes its characters account for (three
 * a group; the last group, which may hold padding, to what its symbols make):
 * with anything skipped, or `=` before the end, the result is undefined and
 * the caller takes a path that checks character by character. The caller
 * has refused lengths of 4k+1 symbols, which no base64 encoder writes.
 *
 * @example
 * decodeBase64Pieces([Buffer.from('iVBO'), Buffer.from('Rw==')], 4); // <Buffer 89 50 4e 47>
 */
export function decodeBase64Pieces(pieces: readonly Buffer[], decodedLength: number): Buffer | undefined {
  const bytes = Buffer.allocUnsafe(decodedLength);
  let written = 0;
  let carried = '';
  for (const piece of pieces) {
    for (let start = 0; start < piece.length; start += sliceCharacters) {
      const text = carried + piece.toString('latin1', start, Math.min(piece.length, start + sliceCharacters));
      // The last group stays behind until the end: it is the only one that may hold padding.
      const groups = Math.max(0, Math.ceil(text.length / 4) - 1);
      if (groups > 0) {
        const expected = groups * 3;
        if (written + expected > decodedLength) return undefined;
        if (bytes.write(text.slice(0, groups * 4), written, 'base64') !== expected) return undefined;
        written += expected;
      }
      carried = text.slice(groups * 4);
    }
  }
  const expected = Math.floor((carried.replace(/=+$/, '').length * 3) / 4);
  if (written + expected !== decodedLength) return undefined;
  if (expected > 0 && bytes.write(carried, written, 'base64') !== expected) return undefined;
  return bytes;
}
