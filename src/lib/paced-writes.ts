import { bytesPerTurn as defaultBytesPerTurn, type Piece, sliceBytes } from './body-pieces.js';

const nextTurn: (callback: () => void) => void =
  (globalThis as { setImmediate?: (callback: () => void) => void }).setImmediate ?? ((callback) => setTimeout(callback, 0));

export interface PacedWritesOptions {
  bytesPerTurn?: number;
  /** Whether the reader wants more now (a socket not full, a stream below its high-water mark); paced pieces wait for `resume()` otherwise. */
  ready?: () => boolean;
}

/** Writes in order; big ones spread over turns of the event loop and wait for the reader. */
export interface PacedWrites {
  /** Writes now, or after what is still waiting. */
  write(piece: Piece): void;
  /** Writes `pieces` at most `bytesPerTurn` per turn, as the reader takes them, and whatever follows after them. */
  writeSpread(pieces: readonly Piece[]): void;
  /** Runs `callback` once everything written so far went through (at once when nothing waits). */
  afterPending(callback: () => void): void;
  /** The reader wants more (a socket's drain, a stream's pull). */
  resume(): void;
  /** Drops whatever waits (the reader went away). */
  clear(): void;
}

/**
 * Keeps a multi-megabyte write from going out in one turn of the event loop.
 * A socket takes what it is handed while the kernel takes it, so a 15 MB
 * image handed on at once (or queued while the socket was full) is
 * megabytes of copying in one turn, and twenty of them add up. Paced pieces
 * go to the sink only when the reader wants more (`ready`/`resume`), in
 * slices, and at most `bytesPerTurn` per turn (a text slice counts its
 * characters, and never ends inside a surrogate pair). Small writes pass
 * straight through while nothing waits, so a quiet stream (heartbeats)
 * costs nothing more.
 *
 * @example
 * const paced = createPacedWrites((piece) => socket.write(piece), { ready: () => !socket.writableNeedDrain });
 * socket.on('drain', () => paced.resume());
 * paced.writeSpread([header, imageBytes, trailer]);
 * paced.afterPending(() => socket.end());
 */
export function createPacedWrites(sink: (piece: Piece) => void, options: PacedWritesOptions = {}): PacedWrites {
  const bytesPerTurn = options.bytesPerTurn ?? defaultBytesPerTurn;
  const ready = options.ready ?? (() => true);
  const slice = Math.min(sliceBytes, bytesPerTurn);
  let waiting: Array<Piece | (() => void)> | undefined;
  let budget = bytesPerTurn;
  let refillScheduled = false;
  let blocked = false;
  const refill = () => {
    refillScheduled = false;
    budget = bytesPerTurn;
    if (waiting && !blocked) drain();
  };
  const drain = () => {
    while (waiting && waiting.length > 0) {
      const next = waiting[0] as Piece | (() => void);
      if (typeof next === 'function') {
        waiting.shift();
        next();
        continue;
      }
      if (budget <= 0) return;
      if (!ready()) {
        blocked = true;
        return;
      }
      const end = sliceEnd(next, slice);
      const part = end >= next.length ? next : next.slice(0, end);
      if (part === next) waiting.shift();
      else waiting[0] = next.slice(end);
      budget -= part.length;
      if (!refillScheduled) {
        refillScheduled = true;
        nextTurn(refill);
      }
      sink(part);
    }
    waiting = undefined;
  };
  return {
    write(piece) {
      if (waiting) waiting.push(piece);
      else sink(piece);
    },
    writeSpread(pieces) {
      const start = !waiting;
      waiting ??= [];
      for (const piece of pieces) waiting.push(piece);
      if (start) drain();
    },
    afterPending(callback) {
      if (waiting) waiting.push(callback);
      else callback();
    },
    resume() {
      if (!blocked) return;
      blocked = false;
      drain();
    },
    clear() {
      waiting = undefined;
      blocked = false;
    },
  };
}

/** Where a slice of at most `length` starting at 0 ends; text is never cut between the two halves of a surrogate pair. */
function sliceEnd(piece: Piece, length: number): number {
  if (piece.length <= length) return piece.length;
  if (typeof piece !== 'string') return length;
  const last = piece.charCodeAt(length - 1);
  return last >= 0xd800 && last <= 0xdbff ? length + 1 : length;
}
