import pLimit from 'p-limit';
import { raceAbort } from './image-abort.js';

/** Runs sharp work with a bound on how much runs at once. */
export interface ConversionQueue {
  run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T>;
}

/**
 * A p-limit queue that respects the request's signal: a task whose request
 * was aborted while it waited never starts, and the caller is released at
 * once even when sharp is mid-conversion (libvips cannot be interrupted; its
 * slot frees when it finishes).
 *
 * @example
 * const queue = createConversionQueue(4);
 * const jpeg = await queue.run(() => sharp(bytes).jpeg().toBuffer(), signal);
 */
export function createConversionQueue(concurrency: number): ConversionQueue {
  const limit = pLimit(concurrency);
  return {
    run: (task, signal) => {
      const queued = limit(() => {
        signal.throwIfAborted();
        return task();
      });
      return raceAbort(queued, signal);
    },
  };
}
