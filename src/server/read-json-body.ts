import { GatewayError } from '../errors/gateway-error.js';
import type { CancelSignal } from '../lib/cancel-signal.js';
import { type JsonLiftingOptions, JsonLiftingReader } from '../lib/json/json-lifting-reader.js';
import { JsonShapeGuard, JsonShapeLimitError } from '../lib/json/json-shape-guard.js';
import type { IncomingBody, IncomingCall } from './incoming-call.js';
import { defaultRequestLimits, type RequestLimits, requestShapeError, tooMuchTextError } from './request-limits.js';

/**
 * Below this many bytes a body cannot hold a string worth lifting (the
 * reader's own minimum), and one JSON.parse of its text is the cheapest read.
 */
const liftingThreshold = 64 * 1024;

/**
 * Reads and parses a JSON request body without ever holding more than
 * `limit` bytes: Content-Length is checked first, then the stream is
 * counted as it arrives and cancelled once it crosses the limit.
 *
 * With `lifting`, a body of 64 KiB or more is read by a `JsonLiftingReader`
 * as its chunks arrive: long printable strings at the chosen paths (image
 * data URLs) come back as `LiftedString` views of the received bytes instead
 * of strings, so a 10 MB upload is never joined, decoded to text or parsed
 * whole. Everything else reads exactly as JSON.parse reads it, errors included.
 *
 * Every chunk is also counted against `limits` as it arrives: too many keys,
 * items, values or levels is a 400 `request_too_complex`, and, for a surface
 * that names its image paths in `lifting`, more than `limits.maxTextBytes`
 * outside the strings at those paths a 413, both before anything is parsed.
 * (Without `lifting` the gateway cannot tell images from text, so only
 * `limit` bounds the size.)
 */
export async function readJsonBody(
  call: IncomingCall,
  limit: number,
  signal?: CancelSignal,
  lifting?: JsonLiftingOptions,
  limits: RequestLimits = defaultRequestLimits,
): Promise<unknown> {
  const contentType = call.header('content-type');
  if (contentType && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType.trim())) {
    throw new GatewayError({
      status: 415,
      type: 'invalid_request_error',
      code: 'unsupported_media_type',
      message: `Content-Type must be application/json, got "${contentType.slice(0, 100)}".`,
    });
  }
  const declared = Number(call.header('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(declared, limit);
  const received = new ReceivedBody(lifting, limits);
  try {
    await readLimited(call, limit, received, signal);
  } catch (error) {
    throw error instanceof JsonShapeLimitError ? requestShapeError(error) : error;
  }
  return received.parse();
}

/** The chunks of a body as they arrive, also fed to a lifting reader once the body is big enough to need one. */
class ReceivedBody {
  readonly chunks: Uint8Array[] = [];
  size = 0;
  readonly #lifting: JsonLiftingOptions | undefined;
  #reader: JsonLiftingReader | undefined;
  readonly #guard: JsonShapeGuard;
  readonly #maxTextBytes: number;

  constructor(lifting: JsonLiftingOptions | undefined, limits: RequestLimits) {
    this.#lifting = lifting;
    this.#guard = new JsonShapeGuard(limits);
    this.#maxTextBytes = limits.maxTextBytes;
  }

  /** Takes one chunk; throws a JsonShapeLimitError or the 413 for too much text as soon as the body crosses a limit. */
  add(chunk: Uint8Array): void {
    this.#guard.push(chunk);
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
    if (this.#reader) this.#reader.push(chunk);
    else if (this.#lifting && this.size >= liftingThreshold) {
      // Scanning each chunk as it arrives spreads the work over the upload instead of one long step at its end.
      this.#reader = new JsonLiftingReader(this.#lifting);
      for (const held of this.chunks) this.#reader.push(held);
    }
    if (this.#lifting && this.size > this.#maxTextBytes) {
      const text = this.size - (this.#reader?.liftableBytes() ?? 0);
      if (text > this.#maxTextBytes) throw tooMuchTextError(text, this.#maxTextBytes);
    }
  }

  parse(): unknown {
    if (!this.#reader) return parseText(this.#wholeText());
    const lifted = this.#reader.finish({ dropByteOrderMark: true });
    if (lifted.text.trim() === '') throw emptyBody();
    try {
      return lifted.parse();
    } catch {
      // The placeholders move positions in JSON.parse's message: the client's own text gives the exact one.
      return parseText(this.#wholeText());
    }
  }

  #wholeText(): string {
    // One decode of the whole body: a multi-byte character split across chunks stays whole.
    if (this.chunks.length === 1) return decoder.decode(this.chunks[0]);
    const whole = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      whole.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return decoder.decode(whole);
  }
}

function parseText(text: string): unknown {
  if (text.trim() === '') throw emptyBody();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_json',
      message: `The request body is not valid JSON: ${(error as Error).message}.`,
    });
  }
}

async function readLimited(call: IncomingCall, limit: number, received: ReceivedBody, signal?: CancelSignal): Promise<void> {
  const body = call.body();
  if (!body) return;
  // A client trickling its body is bound by the request's deadline like everything else.
  const onAbort = () => body.cancel(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await readChunks(body, limit, received, signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function readChunks(body: IncomingBody, limit: number, received: ReceivedBody, signal?: CancelSignal): Promise<void> {
  while (true) {
    const chunk = await body.read();
    if (signal?.aborted) throw signal.reason;
    if (chunk === undefined) return;
    const size = received.size + chunk.byteLength;
    if (size > limit) {
      body.cancel();
      throw tooLarge(size, limit);
    }
    try {
      received.add(chunk);
    } catch (error) {
      body.cancel();
      throw error;
    }
  }
}

const decoder = new TextDecoder();

function emptyBody(): GatewayError {
  return new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    code: 'invalid_json',
    message: 'The request body is empty; send a JSON object.',
  });
}

/** The 413 for a request body over `maxBodyBytes`; the multipart reader answers the same. */
export function tooLarge(size: number, limit: number): GatewayError {
  return new GatewayError({
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message: `The request body is at least ${size} bytes, over the limit of ${limit} bytes (option maxBodyBytes).`,
  });
}
