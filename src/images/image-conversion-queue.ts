import pLimit from 'p-limit';
import { raceAbort } from '../lib/race-abort.js';

export interface ConversionTaskOptions {
  /**
   * The task decodes a format whose decoder holds the whole frame at once
   * (WebP, GIF): such tasks run one at a time, on top of the general bound.
   */
  holdsWholeFrame?: boolean;
}

/** Runs sharp work with a bound on how much runs at once. */
export interface ConversionQueue {
  run<T>(task: () => Promise<T>, signal: AbortSignal, options?: ConversionTaskOptions): Promise<T>;
}

/**
 * A p-limit queue that respects the request's signal: a task whose request
 * was aborted while it waited never starts, and the caller is released at
 * once even when sharp is mid-conversion (libvips cannot be interrupted; its
 * slot frees when it finishes).
 *
 * Conversions that decode a whole frame at once also wait for one another.
 * JPEG and PNG decode strip by strip, a few MB whatever the size; libwebp
 * and the GIF decoder hand libvips the whole frame, and a 4 MP WebP peaks
 * near 30 MB while it converts. Four at once measured 113 to 144 MB of RSS
 * growth, one at a time 50 to 60 MB, for about the same total time on two
 * cores. The frame slot is taken before the general one, so a waiting WebP
 * never holds a slot a PNG could use.
 *
 * @example
 * const queue = createConversionQueue(4);
 * const jpeg = await queue.run(() => sharp(bytes).jpeg().toBuffer(), signal, { holdsWholeFrame: true });
 */
export function createConversionQueue(concurrency: number): ConversionQueue {
  const limit = pLimit(concurrency);
  const wholeFrameLimit = pLimit(1);
  return {
    run: (task, signal, options = {}) => {
      const start = () =>
        limit(() => {
          signal.throwIfAborted();
          return task();
        });
      const queued = options.holdsWholeFrame
        ? wholeFrameLimit(() => {
            signal.throwIfAborted();
            return start();
          })
        : start();
      return raceAbort(queued, signal);
    },
  };
}
