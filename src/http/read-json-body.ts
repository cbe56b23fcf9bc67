import { GatewayError } from './gateway-error.js';
import type { IncomingBody, IncomingCall } from './incoming-call.js';
import type { CancelSignal } from './linked-signal.js';

/**
 * Reads and parses a JSON request body without ever holding more than
 * `limit` bytes: Content-Length is checked first, then the stream is
 * counted as it arrives and cancelled once it crosses the limit.
 */
export async function readJsonBody(call: IncomingCall, limit: number, signal?: CancelSignal): Promise<unknown> {
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
  const text = await readLimitedText(call, limit, signal);
  if (text.trim() === '') {
    throw new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_json',
      message: 'The request body is empty; send a JSON object.',
    });
  }
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

async function readLimitedText(call: IncomingCall, limit: number, signal?: CancelSignal): Promise<string> {
  const body = call.body();
  if (!body) return '';
  // A client trickling its body is bound by the request's deadline like everything else.
  const onAbort = () => body.cancel(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await readChunks(body, limit, signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function readChunks(body: IncomingBody, limit: number, signal?: CancelSignal): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const chunk = await body.read();
    if (signal?.aborted) throw signal.reason;
    if (chunk === undefined) break;
    size += chunk.byteLength;
    if (size > limit) {
      body.cancel();
      throw tooLarge(size, limit);
    }
    chunks.push(chunk);
  }
  // One decode of the whole body: a multi-byte character split across chunks stays whole.
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decoder.decode(whole);
}

const decoder = new TextDecoder();

function tooLarge(size: number, limit: number): GatewayError {
  return new GatewayError({
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message: `The request body is at least ${size} bytes, over the limit of ${limit} bytes (option maxBodyBytes).`,
  });
}
