import { GatewayError } from '../errors/gateway-error.js';
import type { CancelSignal } from '../lib/cancel-signal.js';
import { TurnBudget } from '../lib/event-loop-turns.js';
import { type JsonLiftingOptions, JsonLiftingReader } from '../lib/json/json-lifting-reader.js';
import { jsonPieceEnd } from '../lib/json/json-piece-end.js';
import { JsonShapeGuard, JsonShapeLimitError } from '../lib/json/json-shape-guard.js';
import type { IncomingBody, IncomingCall } from './incoming-call.js';
import { defaultRequestLimits, type RequestLimits, requestShapeError, tooMuchTextError } from './request-limits.js';

/**
 * Below this many bytes a body cannot hold a string worth lifting (the
 * reader's own minimum), and one JSON.parse of its text is the cheapest read.
 */
const liftingThreshold = 64 * 1024;

/**
 * The synchronous work all request bodies of the process together may do in
 * one turn of the event loop (counting their structure, finding image data),
 * in ms: past it, a flood of big bodies, or a piece met by code not yet
 * optimised, waits for the next turn instead of delaying every other
 * request. 1.5 million tiny messages held one turn for 150-300 ms before.
 */
const bodyReading = new TurnBudget(8);
/**
 * Bytes counted between two looks at the budget. The first pieces a process
 * reads run unoptimised, 10 to 50 times slower than warm: 64 KiB of tiny
 * messages took 100-200 ms, 8 KiB takes a few ms. Inside a long plain
 * string (the base64 of an image), where the reading is a native search,
 * pieces run up to 64 KiB: 8 KiB pieces made a 10 MB upload 40 % slower.
 */
const pieceBytes = 8 * 1024;
const longStringPieceBytes = 64 * 1024;

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

/**
 * The pieces of a body as they arrive, each counted by the shape guard as
 * it comes and, once the body is big enough to need one, read by a lifting
 * reader: the pieces held before it existed are fed to it one per `catchUp`,
 * so starting it costs no long step either.
 */
class ReceivedBody {
  readonly chunks: Uint8Array[] = [];
  size = 0;
  readonly #lifting: JsonLiftingOptions | undefined;
  #reader: JsonLiftingReader | undefined;
  /** Pieces fed to the reader so far, and their bytes. */
  #readerPieces = 0;
  #readerBytes = 0;
  readonly #guard: JsonShapeGuard;
  readonly #maxTextBytes: number;

  constructor(lifting: JsonLiftingOptions | undefined, limits: RequestLimits) {
    this.#lifting = lifting;
    this.#guard = new JsonShapeGuard(limits);
    this.#maxTextBytes = limits.maxTextBytes;
  }

  /** Takes one piece; throws a JsonShapeLimitError or the 413 for too much text as soon as the body crosses a limit. */
  add(piece: Uint8Array): void {
    this.#guard.push(piece);
    this.chunks.push(piece);
    this.size += piece.byteLength;
    if (!this.#lifting) return;
    if (this.#reader) {
      if (this.#readerPieces === this.chunks.length - 1) this.#feedReader();
      return;
    }
    if (this.size >= liftingThreshold) {
      // Scanning each piece as it arrives spreads the work over the upload instead of one long step at its end.
      const lifting = this.#lifting;
      this.#reader = new JsonLiftingReader({
        liftAt: lifting.liftAt,
        liftPayloadsAt: lifting.liftPayloadsAt,
        countPayloadsAt: lifting.countPayloadsAt,
        minimumLength: lifting.minimumLength,
        holdBytes: 0,
      });
      return;
    }
    if (this.size > this.#maxTextBytes) throw tooMuchTextError(this.size, this.#maxTextBytes);
  }

  /** Feeds the reader one piece it has not read yet; false when it has read them all. */
  catchUp(): boolean {
    if (!this.#reader || this.#readerPieces === this.chunks.length) return false;
    this.#feedReader();
    return true;
  }

  #feedReader(): void {
    const reader = this.#reader as JsonLiftingReader;
    const piece = this.chunks[this.#readerPieces++] as Uint8Array;
    reader.push(piece);
    this.#readerBytes += piece.byteLength;
    if (this.#readerBytes <= this.#maxTextBytes) return;
    const text = this.#readerBytes - reader.liftableBytes();
    if (text > this.#maxTextBytes) throw tooMuchTextError(text, this.#maxTextBytes);
  }

  parse(): unknown {
    if (!this.#reader) return parseText(this.#wholeText());
    while (this.catchUp()) {}
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
    // One decode of the whole body: a multi-byte character split across pieces stays whole.
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
      await countChunk(chunk, received, signal);
    } catch (error) {
      body.cancel();
      throw error;
    }
  }
}

/** Counts a chunk piece by piece, each within the turn budget shared by every body being read. */
async function countChunk(chunk: Uint8Array, received: ReceivedBody, signal?: CancelSignal): Promise<void> {
  let offset = 0;
  let more = true;
  while (offset < chunk.byteLength || more) {
    if (bodyReading.exhausted()) await bodyReading.nextTurn(signal);
    const started = performance.now();
    try {
      if (offset < chunk.byteLength) {
        const end = jsonPieceEnd(chunk, offset, pieceBytes, longStringPieceBytes);
        received.add(offset === 0 && end === chunk.byteLength ? chunk : chunk.subarray(offset, end));
        offset = end;
      }
      more = received.catchUp();
    } finally {
      bodyReading.spend(performance.now() - started);
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
