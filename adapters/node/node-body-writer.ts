import type { ServerResponse } from 'node:http';
import { joinPieces, type Piece, sliceBytes } from '../../src/lib/body-pieces.js';
import { createPacedWrites } from '../../src/lib/paced-writes.js';
import { WriteStallGuard } from './node-write-stall.js';

/**
 * Writes a body given as pieces (text as UTF-8, bytes as they are), of
 * `length` bytes in all, and ends the response. A small body goes out in
 * one write with the headers; a big one as the socket takes it (waiting for
 * `drain`) and at most a turn's budget per turn of the event loop (see
 * lib/paced-writes.ts), so twenty 15 MB answers draining together do not
 * block every other request.
 *
 * @example
 * writeBodyPieces(outgoing, ['{"url":"', imageBytes, '"}'], byteLengthOf(pieces), 60_000);
 */
export function writeBodyPieces(outgoing: ServerResponse, pieces: readonly Piece[], length: number, stallTimeoutMs: number): void {
  if (length <= sliceBytes) {
    // Several small pieces written one by one would be one syscall each (and on loopback, the
    // receiver's TCP work each time): one buffer goes out with the headers in a single write.
    const [only] = pieces;
    outgoing.end(pieces.length === 1 && only !== undefined ? only : joinPieces(pieces, length));
    WriteStallGuard.after(outgoing, stallTimeoutMs);
    return;
  }
  const stall = new WriteStallGuard(outgoing, stallTimeoutMs);
  const paced = createPacedWrites(
    (piece) => {
      outgoing.write(piece);
      stall.check();
    },
    { ready: () => !outgoing.writableNeedDrain && !outgoing.destroyed },
  );
  outgoing.on('drain', () => paced.resume());
  outgoing.once('close', () => paced.clear());
  paced.writeSpread(pieces);
  paced.afterPending(() => {
    outgoing.end();
    stall.check();
  });
}
