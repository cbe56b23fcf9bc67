import { GatewayError } from './gateway-error.js';

/**
 * Reads and parses a JSON request body without ever holding more than
 * `limit` bytes: Content-Length is checked first, then the stream is
 * counted as it arrives and cancelled once it crosses the limit.
 */
export async function readJsonBody(request: Request, limit: number, signal?: AbortSignal): Promise<unknown> {
  const contentType = request.headers.get('content-type');
  if (contentType && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType.trim())) {
    throw new GatewayError({
      status: 415,
      type: 'invalid_request_error',
      code: 'unsupported_media_type',
      message: `Content-Type must be application/json, got "${contentType.slice(0, 100)}".`,
    });
  }
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(declared, limit);
  const text = await readLimitedText(request, limit, signal);
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

async function readLimitedText(request: Request, limit: number, signal?: AbortSignal): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  // A client trickling its body is bound by the request's deadline like everything else.
  const onAbort = () => {
    reader.cancel(signal?.reason).catch(() => {});
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await readChunks(reader, limit, signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function readChunks(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number, signal?: AbortSignal): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (signal?.aborted) throw signal.reason;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(size, limit);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

function tooLarge(size: number, limit: number): GatewayError {
  return new GatewayError({
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message: `The request body is at least ${size} bytes, over the limit of ${limit} bytes (option maxBodyBytes).`,
  });
}
