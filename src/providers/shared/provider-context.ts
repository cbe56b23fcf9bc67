import type { ProviderContext } from '../../provider.js';
import { createPooledFetch } from './pooled-fetch.js';
import { createPooledHttp } from './pooled-http.js';
import { httpOverFetch, type UpstreamHttp } from './upstream-response.js';

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

/**
 * The real-world context: pooled undici requests, the wall clock, real
 * timers. An injected `fetch` carries the API calls too, unless `http` is
 * given as well.
 */
export function defaultProviderContext(overrides: Partial<ProviderContext> = {}): ProviderContext {
  const fallback = globalThis.fetch.bind(globalThis);
  return {
    fetch: overrides.fetch ?? createPooledFetch(fallback),
    http: overrides.http ?? (overrides.fetch ? undefined : createPooledHttp({ fallback })),
    now: overrides.now ?? Date.now,
    sleep: overrides.sleep ?? abortableSleep,
    downloadImage: overrides.downloadImage,
  };
}

const httpOfFetch = new WeakMap<typeof globalThis.fetch, UpstreamHttp>();

/** The context's `http`, or one over its `fetch` (made once per fetch). */
export function upstreamHttpOf(context: Pick<ProviderContext, 'fetch' | 'http'>): UpstreamHttp {
  if (context.http) return context.http;
  let http = httpOfFetch.get(context.fetch);
  if (!http) {
    http = httpOverFetch(context.fetch);
    httpOfFetch.set(context.fetch, http);
  }
  return http;
}
