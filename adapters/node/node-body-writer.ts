import type { ServerResponse } from 'node:http';
import { WriteStallGuard } from './node-write-stall.js';

/** At most this many bytes go to one response's socket per turn of the event loop. */
const bytesPerTurn = 256 * 1024;
/** Pieces are written in slices of at most this size, so the budget can stop inside a 15 MB piece. */
const sliceLength = 64 * 1024;

/**
 * Writes a body given as pieces (text as UTF-8, bytes as they are) and ends
 * the response. Each write copies into the kernel, and on loopback runs the
 * receiver's TCP work too: a 15 MB body written at once is megabytes of
 * copying in one turn of the event loop, and twenty of them draining
 * together add up. So it writes as the socket takes them (waiting for
 * `drain`), and at most `bytesPerTurn` per turn of the event loop.
 *
 * @example
 * writeBodyPieces(outgoing, ['{"url":"', imageBytes, '"}'], 60_000);
 */
export function writeBodyPieces(outgoing: ServerResponse, pieces: readonly (string | Uint8Array)[], stallTimeoutMs: number): void {
  const [only] = pieces;
  if (pieces.length === 1 && only !== undefined && only.length <= sliceLength) {
    // The common small answer: one end() sends headers and body together.
    outgoing.end(only);
    WriteStallGuard.after(outgoing, stallTimeoutMs);
    return;
  }
  const small = joinedIfSmall(pieces);
  if (small) {
    // Several small pieces written one by one would be one syscall each (and on loopback, the
    // receiver's TCP work each time): one buffer goes out with the headers in a single write.
    outgoing.end(small);
    WriteStallGuard.after(outgoing, stallTimeoutMs);
    return;
  }
  const stall = new WriteStallGuard(outgoing, stallTimeoutMs);
  let index = 0;
  let offset = 0;
  // The budget belongs to the turn, not to a call: a write the kernel takes at once still reports
  // 'drain' on the next tick, so a drain-driven loop would otherwise never yield to the event loop.
  let budget = bytesPerTurn;
  let refillScheduled = false;
  let waitingForTurn = false;
  const refill = () => {
    refillScheduled = false;
    budget = bytesPerTurn;
    if (waitingForTurn) {
      waitingForTurn = false;
      writeMore();
    }
  };
  const writeMore = () => {
    while (index < pieces.length) {
      if (outgoing.destroyed) return;
      if (budget <= 0) {
        waitingForTurn = true;
        return;
      }
      const piece = pieces[index] as string | Uint8Array;
      const end = sliceEnd(piece, offset);
      const slice = offset === 0 && end === piece.length ? piece : piece.slice(offset, end);
      offset = end;
      if (offset >= piece.length) {
        index += 1;
        offset = 0;
      }
      budget -= slice.length;
      if (!refillScheduled) {
        refillScheduled = true;
        setImmediate(refill);
      }
      if (!outgoing.write(slice)) {
        outgoing.once('drain', writeMore);
        stall.check();
        return;
      }
    }
    outgoing.end();
    stall.check();
  };
  writeMore();
}

/** The pieces as one buffer when together they fit in one slice; otherwise undefined. */
function joinedIfSmall(pieces: readonly (string | Uint8Array)[]): Buffer | undefined {
  let length = 0;
  for (const piece of pieces) {
    // A string's UTF-8 length is at most three bytes per UTF-16 unit: an upper bound that needs no encoding.
    length += typeof piece === 'string' ? piece.length * 3 : piece.byteLength;
    if (length > sliceLength) return undefined;
  }
  return Buffer.concat(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece)));
}

/** Where the slice from `offset` ends; text is never cut between the two halves of a surrogate pair. */
function sliceEnd(piece: string | Uint8Array, offset: number): number {
  const end = Math.min(piece.length, offset + sliceLength);
  if (typeof piece !== 'string' || end === piece.length) return end;
  const last = piece.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff ? end + 1 : end;
}
