/**
 * A body in pieces: text (written as UTF-8) and bytes written as they are.
 * A 15 MB image travels as the bytes it arrived in, beside the few bytes of
 * JSON around it, and is never copied into one string or buffer with them.
 */
export type Piece = string | Uint8Array;

/**
 * At most this many bytes of one body go to a reader (a socket, a web
 * stream) or come from one per turn of the event loop. Each write copies
 * into the kernel, and on loopback runs the receiver's TCP work too: 20
 * images of 15 MB handed on in one turn would block every other request.
 */
export const bytesPerTurn = 256 * 1024;

/** Big pieces are handed on in slices of at most this size, so a turn's budget can end inside one. */
export const sliceBytes = 64 * 1024;

/** The bytes the pieces take on the wire. */
export function byteLengthOf(pieces: readonly Piece[]): number {
  let length = 0;
  for (const piece of pieces) length += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.byteLength;
  return length;
}

/**
 * The pieces as one buffer of exactly their size: one allocation and one
 * copy of each piece, for bodies small enough that one write costs less
 * than several (a few KB of JSON around a small image).
 *
 * @example
 * joinPieces(['{"url":"', Buffer.from('data:image/png;base64,iVBO'), '"}']); // <Buffer 7b 22 ...>
 */
export function joinPieces(pieces: readonly Piece[], length = byteLengthOf(pieces)): Buffer {
  const whole = Buffer.allocUnsafe(length);
  let offset = 0;
  for (const piece of pieces) {
    if (typeof piece === 'string') offset += whole.write(piece, offset);
    else {
      whole.set(piece, offset);
      offset += piece.byteLength;
    }
  }
  return whole;
}
