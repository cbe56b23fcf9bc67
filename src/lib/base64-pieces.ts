/**
 * How many characters of base64 go through the decoder at once: strings
 * small enough for V8's young generation (not its large-object space), that
 * die young.
 */
const sliceCharacters = 64 * 1024;
/** How many bytes the encoder takes at once: a multiple of 3, so slices encode without padding in between. */
const sliceBytes = 48 * 1024;

/**
 * Decodes base64 held as ASCII bytes in pieces (views of a request body's
 * chunks), a slice at a time, straight into one buffer of `decodedLength`
 * bytes: the whole text never becomes a string. Slices start and end on the
 * four-character grid of the whole text, so they decode to exactly what the
 * whole text would; a group cut by a piece boundary is put together on its own.
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
  let total = 0;
  for (const piece of pieces) total += piece.length;
  // Where the last group starts: the only one that may hold padding, decoded at the end.
  const lastGroupStart = total - (total % 4 || 4);
  const bytes = Buffer.allocUnsafe(decodedLength);
  let written = 0;
  const writeGroups = (text: string): boolean => {
    const expected = (text.length / 4) * 3;
    if (written + expected > decodedLength || bytes.write(text, written, 'base64') !== expected) return false;
    written += expected;
    return true;
  };
  /** Characters of a group cut by a piece boundary, then of the last group. */
  let group = '';
  let offset = 0;
  for (const piece of pieces) {
    let position = 0;
    while (position < piece.length) {
      if (offset + position >= lastGroupStart) {
        group += piece.toString('latin1', position);
        break;
      }
      if (group.length > 0) {
        const end = Math.min(piece.length, position + 4 - group.length);
        group += piece.toString('latin1', position, end);
        position = end;
        if (group.length === 4) {
          if (!writeGroups(group)) return undefined;
          group = '';
        }
        continue;
      }
      const stop = Math.min(piece.length, lastGroupStart - offset);
      const groupsEnd = position + Math.floor((stop - position) / 4) * 4;
      if (groupsEnd === position) {
        group = piece.toString('latin1', position, stop);
        position = stop;
        continue;
      }
      const sliceEnd = Math.min(groupsEnd, position + sliceCharacters);
      if (!writeGroups(piece.toString('latin1', position, sliceEnd))) return undefined;
      position = sliceEnd;
    }
    offset += piece.length;
  }
  const expected = Math.floor((group.replace(/=+$/, '').length * 3) / 4);
  if (written + expected !== decodedLength) return undefined;
  if (expected > 0 && bytes.write(group, written, 'base64') !== expected) return undefined;
  return bytes;
}

/**
 * The base64 of `bytes` as ASCII bytes, encoded a slice at a time: for an
 * image written into a JSON body, instead of a multi-MB string that is then
 * scanned for characters to escape and encoded to UTF-8 again.
 *
 * @example
 * encodeBase64Bytes(Buffer.from([0x89, 0x50, 0x4e, 0x47])); // <Buffer 69 56 42 4f 52 77 3d 3d> ("iVBORw==")
 */
export function encodeBase64Bytes(bytes: Buffer): Buffer {
  const encoded = Buffer.allocUnsafe(Math.ceil(bytes.length / 3) * 4);
  let written = 0;
  for (let start = 0; start < bytes.length; start += sliceBytes) {
    written += encoded.write(bytes.toString('base64', start, Math.min(bytes.length, start + sliceBytes)), written, 'latin1');
  }
  return encoded;
}
