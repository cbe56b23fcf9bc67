import type { CancelSignal } from '../../lib/cancel-signal.js';

/**
 * Watches one wait for a slot: `onTimeout` when its budget runs out,
 * `onAbort` when its request is cancelled. Returns what stops watching,
 * called once the wait ends either way. Both schedulers (memory and Redis)
 * end their waits this way.
 *
 * @example
 * waiter.cleanup = watchWait(request.signal, budget, () => drop(waiter, timeoutError), () => drop(waiter, request.signal.reason));
 */
export function watchWait(signal: CancelSignal, budgetMs: number, onTimeout: () => void, onAbort: () => void): () => void {
  const timer = setTimeout(onTimeout, budgetMs);
  signal.addEventListener('abort', onAbort, { once: true });
  return () => {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  };
}
