import type { Piece } from '../../lib/body-pieces.js';

/**
 * Cuts pieces of ASCII text (a data URL as it reads inside a JSON string)
 * into runs of at most `maxBytes` each, without copying: strings are sliced
 * and bytes are viewed. A run never ends inside a JSON escape (`\/`, `\u002f`),
 * so each run is valid JSON string content on its own.
 *
 * @example
 * splitPieces(['data:image/png;base64,', bytes], 65_536); // [[…], […], …]
 */
export function splitPieces(pieces: readonly Piece[], maxBytes: number): Piece[][] {
  const runs: Piece[][] = [];
  let run: Piece[] = [];
  let room = maxBytes;
  for (const piece of pieces) {
    let offset = 0;
    const length = typeof piece === 'string' ? piece.length : piece.byteLength;
    while (offset < length) {
      let take = Math.min(room, length - offset);
      if (take < length - offset) take = escapeSafeCut(piece, offset, take);
      if (take === 0) {
        runs.push(run);
        run = [];
        room = maxBytes;
        continue;
      }
      run.push(typeof piece === 'string' ? piece.slice(offset, offset + take) : piece.subarray(offset, offset + take));
      offset += take;
      room -= take;
      if (room === 0) {
        runs.push(run);
        run = [];
        room = maxBytes;
      }
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

const backslash = 0x5c;

/** At most `take` units from `offset`, shortened so the cut does not fall inside a `\…` escape of up to six units. */
function escapeSafeCut(piece: Piece, offset: number, take: number): number {
  const codeAt = (index: number) => (typeof piece === 'string' ? piece.charCodeAt(index) : (piece[index] as number));
  // An escape is at most 6 units (\uXXXX): look back that far for a backslash whose escape the cut would split.
  for (let back = 1; back <= 6 && back <= take; back++) {
    const index = offset + take - back;
    if (codeAt(index) !== backslash) continue;
    // Escaped backslashes come in pairs: count the run to know whether this one starts an escape.
    let run = 1;
    while (index - run >= offset && codeAt(index - run) === backslash) run++;
    if (run % 2 === 0) continue;
    const escapeLength = codeAt(index + 1) === 0x75 ? 6 : 2;
    if (back < escapeLength) return take - back;
  }
  return take;
}
