import { Busboy, type BusboyInstance } from '@fastify/busboy';
import { GatewayError, invalidRequest } from '../errors/gateway-error.js';
import type { CancelSignal } from '../lib/cancel-signal.js';
import type { IncomingCall } from './incoming-call.js';
import { tooLarge } from './read-json-body.js';

/** How much a multipart body may hold; each limit is checked as the parts arrive. */
export interface MultipartLimits {
  /** The whole body, in bytes (maxBodyBytes). */
  maxBodyBytes: number;
  /** Files, in bytes each. */
  maxFileBytes: number;
  maxFiles: number;
  /** Text fields, and the bytes of each. */
  maxFields: number;
  maxFieldBytes: number;
}

/** One uploaded file, held as the bytes it arrived in. */
export interface MultipartFile {
  /** The form field it came in (`image`, `image[]`, `mask`). */
  field: string;
  filename: string;
  /** The type the client declared; only a hint, images are sniffed later. */
  mediaType: string;
  bytes: Buffer;
}

/** A parsed `multipart/form-data` body: text fields by name (the last value wins) and files in the order sent. */
export interface MultipartBody {
  fields: Map<string, string>;
  files: MultipartFile[];
}

/**
 * Reads a `multipart/form-data` body with @fastify/busboy, a streaming
 * parser, as the chunks arrive: unlike `Request.formData()`, which buffers
 * the whole body before it says anything, it stops at the first part, file,
 * field or byte over its limit, and the upload is cancelled there. Every
 * refusal is a 400 naming the field (413 for the body as a whole), as the
 * JSON reader answers.
 *
 * @example
 * const form = await readMultipartBody(call, limits, exchange.deadline);
 * form.fields.get('prompt'); form.files[0]?.bytes;
 */
export async function readMultipartBody(call: IncomingCall, limits: MultipartLimits, signal?: CancelSignal): Promise<MultipartBody> {
  const contentType = call.header('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType.trim())) {
    throw new GatewayError({
      status: 415,
      type: 'invalid_request_error',
      code: 'unsupported_media_type',
      message: `Content-Type must be multipart/form-data or application/json, got "${contentType.slice(0, 100)}".`,
    });
  }
  const declared = Number(call.header('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) throw tooLarge(declared, limits.maxBodyBytes);
  const form = new FormCollector(contentType, limits);
  const body = call.body();
  if (!body) throw malformed('the body is empty');
  const onAbort = () => body.cancel(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let size = 0;
    while (form.failure === undefined) {
      const chunk = await body.read();
      if (signal?.aborted) throw signal.reason;
      if (chunk === undefined) break;
      size += chunk.byteLength;
      if (size > limits.maxBodyBytes) throw tooLarge(size, limits.maxBodyBytes);
      // The parser's backpressure is honoured: no more is read until it has taken what it holds, so a limit it
      // meets stops the upload there, not after the rest has been read ahead.
      if (!form.write(chunk) && form.failure === undefined) await form.drained(signal);
      if (signal?.aborted) throw signal.reason;
    }
    if (form.failure !== undefined) throw form.failure;
    return await form.end();
  } catch (error) {
    body.cancel(error);
    form.destroy();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Busboy's events gathered into a `MultipartBody`; the first limit crossed becomes `failure` and parsing stops. */
class FormCollector {
  readonly #parser: BusboyInstance;
  readonly #fields = new Map<string, string>();
  readonly #files: MultipartFile[] = [];
  readonly #finished: Promise<void>;
  failure: GatewayError | undefined;

  constructor(contentType: string, limits: MultipartLimits) {
    try {
      this.#parser = Busboy({
        headers: { 'content-type': contentType },
        limits: {
          fileSize: limits.maxFileBytes,
          files: limits.maxFiles,
          fields: limits.maxFields,
          fieldSize: limits.maxFieldBytes,
          parts: limits.maxFiles + limits.maxFields,
          fieldNameSize: 100,
          headerPairs: 20,
        },
      });
    } catch (error) {
      // Busboy throws at once for a Content-Type without a boundary, or not multipart at all.
      throw malformed(`the Content-Type has no usable boundary (${(error as Error).message}); send multipart/form-data; boundary=…`);
    }
    this.#finished = new Promise<void>((resolve, reject) => {
      this.#parser.on('finish', () => (this.failure ? reject(this.failure) : resolve()));
      this.#parser.on('error', (error: unknown) => {
        // Set as the failure too, so the reading loop stops at once instead of feeding a parser that gave up.
        this.#fail(malformed((error as Error)?.message ?? String(error)));
        reject(this.failure);
      });
    });
    this.#finished.catch(() => {});
    this.#parser.on('field', (name, value, nameTruncated, valueTruncated) => {
      if (nameTruncated) return this.#fail(malformed('a field name is over 100 characters'));
      if (valueTruncated) {
        return this.#fail(invalidRequest(`The field "${name}" is over ${limits.maxFieldBytes} bytes.`, name, 'field_too_large'));
      }
      this.#fields.set(name, value);
    });
    this.#parser.on('file', (field, stream, filename, _encoding, mediaType) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        this.#fail(
          invalidRequest(`The file in "${field}" is over ${limits.maxFileBytes} bytes (images.maxImageBytes).`, field, 'IMAGE_TOO_LARGE'),
        );
      });
      stream.on('end', () => {
        if (!stream.truncated) this.#files.push({ field, filename, mediaType, bytes: Buffer.concat(chunks) });
      });
    });
    this.#parser.on('filesLimit', () =>
      this.#fail(
        invalidRequest(`The form has more than ${limits.maxFiles} files; send at most ${limits.maxFiles}.`, null, 'too_many_parts'),
      ),
    );
    this.#parser.on('fieldsLimit', () =>
      this.#fail(
        invalidRequest(`The form has more than ${limits.maxFields} fields; send at most ${limits.maxFields}.`, null, 'too_many_parts'),
      ),
    );
    this.#parser.on('partsLimit', () =>
      this.#fail(
        invalidRequest(
          `The form has more than ${limits.maxFiles + limits.maxFields} parts; send at most ${limits.maxFiles} files and ${limits.maxFields} fields.`,
          null,
          'too_many_parts',
        ),
      ),
    );
  }

  /** False when the parser holds more than it has parsed: wait for `drained()` before writing again. */
  write(chunk: Uint8Array): boolean {
    return this.#parser.write(chunk);
  }

  /** Settles when the parser has taken what it holds, has failed, or the request's deadline passed (the loop then throws). */
  drained(signal: CancelSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#parser.off('drain', done);
        this.#parser.off('error', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#parser.on('drain', done);
      this.#parser.on('error', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async end(): Promise<MultipartBody> {
    this.#parser.end();
    await this.#finished;
    if (this.failure) throw this.failure;
    return { fields: this.#fields, files: this.#files };
  }

  destroy(): void {
    this.#parser.destroy();
  }

  #fail(error: GatewayError): void {
    this.failure ??= error;
  }
}

function malformed(reason: string): GatewayError {
  return invalidRequest(`The multipart body cannot be read: ${reason}.`, null, 'invalid_multipart');
}
