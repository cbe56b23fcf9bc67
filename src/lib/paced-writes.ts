/** Bytes handed on per turn of the event loop once a write is big enough to be paced. */
const defaultBytesPerTurn = 256 * 1024;
/** Big pieces are handed on in slices of this size, so a turn's budget can end inside one. */
const sliceLength = 64 * 1024;

const nextTurn: (callback: () => void) => void =
  (globalThis as { setImmediate?: (callback: () => void) => void }).setImmediate ?? ((callback) => setTimeout(callback, 0));

export interface PacedWritesOptions {
  bytesPerTurn?: number;
  /** Whether the reader wants more now (a stream's desiredSize > 0); paced bytes wait for `resume()` otherwise. */
  ready?: () => boolean;
}

/** Writes in order; big ones spread over turns of the event loop and wait for the reader. */
export interface PacedWrites {
  /** Writes now, or after what is still waiting. */
  write(bytes: Uint8Array): void;
  /** Writes `pieces` at most `bytesPerTurn` per turn, as the reader takes them, and whatever follows after them. */
  writeSpread(pieces: readonly Uint8Array[]): void;
  /** Runs `callback` once everything written so far went through (at once when nothing waits). */
  afterPending(callback: () => void): void;
  /** The reader wants more (a stream's pull). */
  resume(): void;
  /** Drops whatever waits (the reader went away). */
  clear(): void;
}

/**
 * Keeps a multi-megabyte write from going out in one turn of the event loop.
 * A body stream read by a socket writer hands everything queued to the
 * socket while the kernel takes it, so a 15 MB image queued at once (or
 * queued while the socket was full) is megabytes of copying in one turn,
 * and twenty of them add up. Paced bytes go to the reader only when it asks
 * (`ready`/`resume`) and at most `bytesPerTurn` per turn. Small writes pass
 * straight through while nothing waits, so a quiet stream (heartbeats)
 * costs nothing more than before.
 *
 * @example
 * const paced = createPacedWrites((bytes) => controller.enqueue(bytes), { ready: () => controller.desiredSize > 0 });
 * paced.writeSpread([header, imageBytes, trailer]);
 * paced.afterPending(() => controller.close());
 */
export function createPacedWrites(sink: (bytes: Uint8Array) => void, options: PacedWritesOptions = {}): PacedWrites {
  const bytesPerTurn = options.bytesPerTurn ?? defaultBytesPerTurn;
  const ready = options.ready ?? (() => true);
  const slice = Math.min(sliceLength, bytesPerTurn);
  let waiting: Array<Uint8Array | (() => void)> | undefined;
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
      const next = waiting[0] as Uint8Array | (() => void);
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
      const part = next.length > slice ? next.subarray(0, slice) : next;
      if (part === next) waiting.shift();
      else waiting[0] = next.subarray(slice);
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
    write(bytes) {
      if (waiting) waiting.push(bytes);
      else sink(bytes);
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
