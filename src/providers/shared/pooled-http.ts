import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { byteLengthOf, bytesPerTurn, joinPieces, type Piece, sliceBytes } from '../../lib/body-pieces.js';
import { readableChunks } from '../../lib/readable-chunks.js';
import type { GenerationSignal } from '../../provider.js';
import type { UpstreamHeaders, UpstreamHttp, UpstreamResponse } from './upstream-http.js';

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const maxRedirections = 3;

/**
 * The gateway's one upstream HTTP client: `request()` of one keep-alive
 * undici Agent (connections pooled per origin) for every provider call and
 * every download of an image a provider links to, answers handed on as
 * undici's own chunks. No WHATWG `fetch`, `Headers`, `Response` or web
 * stream is made on the way, which costs several times more CPU per call
 * than the exchange itself on a fast upstream. A multipart body (FormData,
 * an edit's images: a few MB) is encoded by the runtime's own Response,
 * boundary and all; undici's encoder takes only undici's own FormData
 * class. One redirect policy: followed as fetch follows
 * them, up to 3, but only on the same host and never from https to http,
 * so a key sent in a header never reaches another host nor travels in
 * clear; any other redirect is the answer, which the caller reports.
 *
 * @example
 * const http = createPooledHttp();
 * const response = await http('https://relay.example.com/v1/chat/completions', { method: 'POST', headers, body, signal });
 * for await (const chunk of response.chunks(signal)) reader.push(chunk);
 */
export function createPooledHttp(options: { dispatcher?: Dispatcher } = {}): UpstreamHttp {
  const dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000 });
  return async (url, init) => {
    let target = url;
    let method = init.method ?? 'GET';
    let headers = init.headers ?? {};
    let pieces = Array.isArray(init.body) ? (init.body as readonly Piece[]) : undefined;
    let body = pieces ? undefined : ((init.body ?? undefined) as string | Uint8Array | FormData | undefined);
    if (body instanceof FormData) {
      const form = new Response(body);
      headers = { ...headers, 'content-type': form.headers.get('content-type') ?? 'multipart/form-data' };
      pieces = [new Uint8Array(await form.arrayBuffer())];
      body = undefined;
    }
    if (pieces) {
      const length = byteLengthOf(pieces);
      if (length <= joinedBodyBytes) {
        // A stream per request costs undici a Readable, its events and a write per piece: a few KB join for less.
        body = joinPieces(pieces, length);
        pieces = undefined;
      } else headers = { ...headers, 'content-length': String(length) };
    }
    for (let redirects = 0; ; redirects++) {
      const { origin, path } = originAndPath(target);
      const answer = await dispatcher.request({
        origin,
        path,
        method: method as Dispatcher.HttpMethod,
        headers,
        // A fresh iterator per attempt: a 307 or 308 sends the same body again.
        body: pieces ? Readable.from(piecesOf(pieces), { objectMode: false }) : (body as string | Uint8Array | undefined),
        signal: init.signal,
      });
      const next = redirectStatuses.has(answer.statusCode) ? redirectTarget(target, answer.headers.location) : undefined;
      if (!next || redirects >= maxRedirections) return new PooledResponse(answer, method);
      await answer.body.dump().catch(() => {});
      // As fetch does: 303, and 301/302 after a POST, continue as a GET without the body.
      if (answer.statusCode === 303 || ((answer.statusCode === 301 || answer.statusCode === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        pieces = undefined;
        headers = withoutBodyHeaders(headers);
      }
      target = next;
    }
  };
}

/** Bodies up to this size go to undici as one buffer; bigger ones as a stream of their pieces, never joined. */
const joinedBodyBytes = sliceBytes;

/** The pieces as bytes, one at a time: undici writes each as the socket takes it. */
function* piecesOf(pieces: readonly Piece[]): Generator<Uint8Array> {
  for (const piece of pieces) yield typeof piece === 'string' ? Buffer.from(piece) : piece;
}

/** Provider endpoints parsed once: a provider calls the same few URLs on every request. */
const parsedUrls = new Map<string, { origin: string; path: string }>();

function originAndPath(url: string): { origin: string; path: string } {
  let parsed = parsedUrls.get(url);
  if (!parsed) {
    const { origin, pathname, search } = new URL(url);
    parsed = { origin, path: `${pathname}${search}` };
    // Bounded: model names and redirects can make new URLs.
    if (parsedUrls.size >= 256) parsedUrls.clear();
    parsedUrls.set(url, parsed);
  }
  return parsed;
}

/**
 * The absolute URL a redirect leads to, when it stays on the same host and
 * does not go from https to http (either would send the key elsewhere or in
 * clear); otherwise undefined, and the 3xx is the answer.
 */
function redirectTarget(from: string, location: string | string[] | undefined): string | undefined {
  if (typeof location !== 'string') return undefined;
  try {
    const current = new URL(from);
    const next = new URL(location, current);
    if (next.protocol !== 'https:' && next.protocol !== 'http:') return undefined;
    if (current.protocol === 'https:' && next.protocol === 'http:') return undefined;
    return next.hostname === current.hostname ? next.href : undefined;
  } catch {
    return undefined;
  }
}

function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!/^content-/i.test(name)) kept[name] = value;
  }
  return kept;
}

/** undici's answer as an `UpstreamResponse`: its chunks are handed on as they are, paced per turn. */
class PooledResponse implements UpstreamResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: UpstreamHeaders;
  readonly #readable: Readable | undefined;
  /** Declared no bigger than one turn's budget: read whole, without pacing. */
  readonly #small: boolean;
  /** The body was handed out (or there is none): a second read gets nothing, as with a Response. */
  #taken = false;

  constructor(answer: Dispatcher.ResponseData, method: string) {
    this.status = answer.statusCode;
    this.statusText = answer.statusText ?? '';
    this.headers = new NodeHeaders(answer.headers);
    const length = Number(answer.headers['content-length'] ?? Number.NaN);
    this.#small = length <= bytesPerTurn;
    if (answer.statusCode === 204 || answer.statusCode === 304 || method === 'HEAD') {
      answer.body.resume();
      this.#taken = true;
    } else {
      this.#readable = answer.body;
    }
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  cancel(): void {
    if (this.#taken || !this.#readable) return;
    this.#taken = true;
    this.#readable.destroy();
  }

  async *chunks(signal?: GenerationSignal): AsyncGenerator<Uint8Array> {
    const readable = this.#readable;
    if (!readable || this.#taken) return;
    this.#taken = true;
    if (this.#small) {
      // Most answers are a few KB: gathering them with two listeners costs less than an async iterator.
      for (const chunk of await gather(readable)) yield chunk;
      if (signal?.aborted) throw signal.reason;
      return;
    }
    yield* readableChunks(readable, signal);
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.#whole());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const whole = await this.#whole();
    return whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.byteLength) as ArrayBuffer;
  }

  async #whole(): Promise<Uint8Array> {
    const pieces: Uint8Array[] = [];
    for await (const chunk of this.chunks()) pieces.push(chunk);
    return pieces.length === 1 ? (pieces[0] as Uint8Array) : Buffer.concat(pieces);
  }
}

/** Every chunk of a body, once it ended; rejects with its error (undici destroys it with the abort reason). */
function gather(readable: Readable): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    readable.on('data', (chunk: Buffer) => chunks.push(chunk));
    readable.once('end', () => resolve(chunks));
    readable.once('error', reject);
  });
}

/** Node's header record (lower-case names, repeated headers as arrays) read like `Headers`. */
class NodeHeaders implements UpstreamHeaders {
  readonly #headers: Record<string, string | string[] | undefined>;

  constructor(headers: Record<string, string | string[] | undefined>) {
    this.#headers = headers;
  }

  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}
