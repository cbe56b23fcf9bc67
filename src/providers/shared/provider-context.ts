import { setTimeout as sleep } from 'node:timers/promises';
import type { ConversionQueue } from '../../images/image-conversion-queue.js';
import type { ImageData } from '../../images/image-data.js';
import { toAbortSignal } from '../../lib/cancel-signal.js';
import type { GenerationSignal } from '../../provider.js';
import { createPooledHttp } from './pooled-http.js';
import { httpOverFetch, type UpstreamHttp } from './upstream-http.js';

/** What every provider factory receives besides its own settings: everything external, injected. */
export interface ProviderContext {
  /** The provider's HTTP calls: its API, and downloads of the images it links to. */
  http: UpstreamHttp;
  /** Milliseconds since the epoch; injected so tests control time. */
  now: () => number;
  /** Waits `ms`, or rejects as soon as `signal` aborts. */
  sleep: (ms: number, signal: GenerationSignal) => Promise<void>;
  /**
   * Downloads an image URL found in a model's answer through the gateway's
   * SSRF guard. Absent (a provider built on its own), providers download
   * through `http`.
   */
  downloadImage?: (url: string, signal: AbortSignal) => Promise<ImageData>;
  /**
   * The gateway's bound on concurrent sharp work, shared with input ingest
   * and output encoding; the local engine runs its pipelines through it.
   * Absent (a provider built on its own), pipelines run at once.
   */
  conversions?: ConversionQueue;
}

/**
 * The real-world context: one pooled undici client (see pooled-http.ts),
 * the wall clock, real timers. An injected `fetch` (tests, other runtimes)
 * carries every call instead.
 *
 * @example
 * const provider = createGeminiProvider(config, defaultProviderContext({ fetch: fakeFetch }));
 */
export function defaultProviderContext(overrides: Partial<ProviderContext> & { fetch?: typeof globalThis.fetch } = {}): ProviderContext {
  return {
    http: overrides.http ?? (overrides.fetch ? httpOverFetch(overrides.fetch) : createPooledHttp()),
    now: overrides.now ?? Date.now,
    sleep: overrides.sleep ?? sleepUntilAborted,
    downloadImage: overrides.downloadImage,
    conversions: overrides.conversions,
  };
}

/** Node's timer, rejecting as every wait of the gateway does: with the signal's own reason (Node's carries it as `cause`). */
function sleepUntilAborted(ms: number, signal: GenerationSignal): Promise<void> {
  return sleep(ms, undefined, { signal: toAbortSignal(signal) }).catch((error: unknown) => {
    throw signal.aborted ? signal.reason : error;
  });
}
