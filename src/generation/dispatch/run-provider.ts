import type { LinkedSignal } from '../../lib/cancel-signal.js';
import type { GenerationEvent, GenerationRequest, ImageProvider } from '../../provider.js';

/**
 * Runs one provider's generation under `link` and hands every event to
 * `onEvent` in order; settles when the provider has finished or failed, or
 * at once when `link` aborts, whichever comes first. A provider that
 * honours its signal stops by itself; one stuck in a promise (a custom
 * provider that ignores it) is let go of: its later events are dropped and
 * its iterator is asked to return without being waited for. The race is
 * per attempt, not per event, so it costs every provider the same, little.
 *
 * @example
 * await runProvider(route.provider, request, link, (event) => builder.add(event));
 */
export function runProvider(
  provider: ImageProvider,
  request: GenerationRequest,
  link: LinkedSignal,
  onEvent: (event: GenerationEvent) => void | Promise<void>,
): Promise<void> {
  if (link.aborted) return Promise.reject(link.reason);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    /** A hook is at work on an event (an image being re-encoded). */
    let delivering = false;
    let iterator: AsyncIterator<GenerationEvent> | undefined;
    const settle = (error?: unknown, failed = false) => {
      if (settled) return;
      settled = true;
      link.removeEventListener('abort', onAbort);
      if (failed) reject(error);
      else resolve();
    };
    const stop = () => {
      settle(link.reason, true);
      letGo(iterator);
    };
    // A hook at work finishes first, as it would with no race: what it delivers belongs to this
    // attempt, and the next one must not start until it is done.
    const onAbort = () => {
      if (!delivering) stop();
    };
    link.addEventListener('abort', onAbort);
    const consume = async () => {
      let done = false;
      try {
        // The link itself: it is the contract's GenerationSignal, and makes no AbortSignal unless the provider asks.
        iterator = provider.generate(request, link)[Symbol.asyncIterator]();
        while (!settled) {
          const next = await iterator.next();
          // Let go of meanwhile: whatever the provider still yields is dropped.
          if (settled) return;
          if (next.done) {
            done = true;
            break;
          }
          delivering = true;
          try {
            // Most hooks are synchronous: awaiting their undefined would cost a promise and a turn per event.
            const handled = onEvent(next.value);
            if (handled) await handled;
          } finally {
            delivering = false;
          }
          if (link.aborted) return stop();
        }
        settle();
      } catch (error) {
        if (link.aborted) stop();
        else settle(error, true);
      } finally {
        // A hook that threw leaves the provider mid-way: let it close what it holds (the upstream body).
        if (!done && !link.aborted) letGo(iterator);
      }
    };
    void consume();
  });
}

/**
 * Asks a provider's iterator to close, without waiting: a provider that
 * ignores its signal may never answer, and one whose `return()` throws has
 * nothing left to close.
 */
function letGo(iterator: AsyncIterator<GenerationEvent> | undefined): void {
  try {
    void Promise.resolve(iterator?.return?.()).catch(() => {});
  } catch {
    // Thrown synchronously by a custom iterator: nothing to wait for.
  }
}
