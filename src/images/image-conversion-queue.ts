import pLimit from 'p-limit';
import { conversionQueueFullError } from '../errors/image-errors.js';
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
  /** Conversions running and waiting, for tests and the bench. */
  readonly counts: { running: number; waiting: number };
}

/**
 * The threads of libuv's pool (`UV_THREADPOOL_SIZE`, default 4). Each
 * running sharp pipeline holds one of them until it ends, and DNS lookups,
 * file reads and zlib queue behind them there.
 */
export function threadPoolSize(): number {
  const configured = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(configured) && configured > 0 ? Math.min(configured, 1024) : 4;
}

/**
 * How many conversions may run at once: what was asked, but always at
 * least one pool thread fewer than libuv has, so a remote image's DNS
 * lookup never waits for an image to finish decoding.
 *
 * @example
 * conversionConcurrency(4); // 3 with the default pool of 4 threads
 */
export function conversionConcurrency(requested: number): number {
  return Math.max(1, Math.min(requested, threadPoolSize() - 1));
}

/**
 * A p-limit queue that respects the request's signal: a task whose request
 * was aborted while it waited never starts, and the caller is released at
 * once even when sharp is mid-conversion (libvips cannot be interrupted; its
 * slot frees when it finishes).
 *
 * At most `maxWaiting` tasks wait beyond the running ones; one more is refused at once
 * with a 503 `IMAGE_QUEUE_FULL` (`Retry-After: 1`) instead of joining a
 * line that grows as fast as clients send images.
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
 * const queue = createConversionQueue(2, 64);
 * const jpeg = await queue.run(() => sharp(bytes).jpeg().toBuffer(), signal, { holdsWholeFrame: true });
 */
export function createConversionQueue(concurrency: number, maxWaiting = Number.POSITIVE_INFINITY): ConversionQueue {
  const limit = pLimit(concurrency);
  const wholeFrameLimit = pLimit(1);
  const counts = { running: 0, waiting: 0 };
  return {
    counts,
    run: (task, signal, options = {}) => {
      // A task starts in a microtask, so "not started yet" counts against the free slots first.
      if (counts.running + counts.waiting >= concurrency + maxWaiting) return Promise.reject(conversionQueueFullError(maxWaiting));
      counts.waiting += 1;
      let waiting = true;
      const stopWaiting = () => {
        if (!waiting) return;
        waiting = false;
        counts.waiting -= 1;
      };
      const start = () =>
        limit(async () => {
          stopWaiting();
          signal.throwIfAborted();
          counts.running += 1;
          try {
            return await task();
          } finally {
            counts.running -= 1;
          }
        });
      const queued = options.holdsWholeFrame
        ? wholeFrameLimit(() => {
            signal.throwIfAborted();
            return start();
          })
        : start();
      const released = raceAbort(queued, signal);
      // A caller released by its abort no longer waits, although p-limit keeps its entry until its turn.
      released.then(stopWaiting, stopWaiting);
      return released;
    },
  };
}
