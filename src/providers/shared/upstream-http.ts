import { joinPieces, type Piece } from '../../lib/body-pieces.js';
import { toAbortSignal } from '../../lib/cancel-signal.js';
import type { GenerationSignal } from '../../provider.js';

/** The headers of an upstream answer, read by name (case-insensitive), as `Headers.get` reads them. */
export interface UpstreamHeaders {
  get(name: string): string | null;
}

/** The status line and headers of an upstream answer: what error mapping reads. A `Response` is one. */
export interface UpstreamResponseHead {
  readonly status: number;
  readonly statusText: string;
  readonly headers: UpstreamHeaders;
}

/**
 * An upstream answer, as providers read it: the part of `Response` they use,
 * plus `chunks()`, which hands the body on as it arrives without a web
 * stream in between (a `ReadableStream` and its reader cost several
 * microseconds and promises per chunk, on every call), and `cancel()`.
 */
export interface UpstreamResponse extends UpstreamResponseHead {
  readonly ok: boolean;
  /** Lets go of a body that will not be read (a download refused by its declared size). */
  cancel(): void;
  /** The body's chunks; stopping early, or `signal` aborting, lets go of the rest. */
  chunks(signal?: GenerationSignal): AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** What one upstream call sends. */
export interface UpstreamInit {
  method?: string;
  headers?: Record<string, string>;
  /** Pieces (text as UTF-8, bytes as they are) are sent one after the other, never joined by the pooled client. */
  body?: string | Uint8Array | FormData | readonly Piece[] | null;
  signal?: GenerationSignal;
}

/**
 * One HTTP exchange with an upstream: `fetch`'s job, in the shape providers
 * read. The default is `createPooledHttp` (undici's `request()` over one
 * keep-alive pool); `httpOverFetch` makes one of any `fetch`.
 */
export type UpstreamHttp = (url: string, init: UpstreamInit) => Promise<UpstreamResponse>;

/**
 * An `UpstreamHttp` over a `fetch` (an injected one, in tests or in a
 * runtime without undici).
 *
 * @example
 * const http = httpOverFetch(globalThis.fetch);
 * const response = await http('https://api.example.com/v1/models', { method: 'GET' });
 */
export function httpOverFetch(fetch: typeof globalThis.fetch): UpstreamHttp {
  return async (url, init) => {
    const response = await fetch(url, {
      method: init.method,
      headers: init.headers,
      body: (Array.isArray(init.body) ? joinPieces(init.body) : init.body) as BodyInit | null | undefined,
      signal: init.signal ? toAbortSignal(init.signal) : undefined,
    });
    return new FetchedResponse(response);
  };
}

/** A Web `Response` as an `UpstreamResponse`. */
class FetchedResponse implements UpstreamResponse {
  readonly #response: Response;

  constructor(response: Response) {
    this.#response = response;
  }

  get status(): number {
    return this.#response.status;
  }

  get statusText(): string {
    return this.#response.statusText;
  }

  get ok(): boolean {
    return this.#response.ok;
  }

  get headers(): UpstreamHeaders {
    return this.#response.headers;
  }

  cancel(): void {
    this.#response.body?.cancel().catch(() => {});
  }

  text(): Promise<string> {
    return this.#response.text();
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#response.arrayBuffer();
  }

  async *chunks(signal?: GenerationSignal): AsyncGenerator<Uint8Array> {
    signal?.throwIfAborted();
    const body = this.#response.body;
    if (!body) return;
    const reader = body.getReader();
    // A fetch that ignores its signal would leave the read pending: cancel the body on abort.
    const onAbort = () => {
      reader.cancel(signal?.reason).catch(() => {});
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (signal?.aborted) throw signal.reason;
        if (done) return;
        yield value;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      reader.cancel().catch(() => {});
    }
  }
}
