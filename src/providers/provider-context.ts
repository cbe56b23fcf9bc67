import { createPooledFetch } from './http/pooled-fetch.js';
import type { ProviderContext } from './provider-types.js';

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real-world context: pooled undici requests, the wall clock, real timers. */
export function defaultProviderContext(overrides: Partial<ProviderContext> = {}): ProviderContext {
  return {
    fetch: overrides.fetch ?? createPooledFetch(globalThis.fetch.bind(globalThis)),
    now: overrides.now ?? Date.now,
    sleep: overrides.sleep ?? abortableSleep,
    downloadImage: overrides.downloadImage,
  };
}
