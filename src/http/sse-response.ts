import { createPacedWrites, type PacedWrites } from './paced-writes.js';

const encoder = new TextEncoder();
const keepAlive = encoder.encode(': keep-alive\n\n');
const done = encoder.encode('data: [DONE]\n\n');

/** ASCII text as bytes: a plain copy on Node (Buffer latin1), the encoder elsewhere. */
function asciiBytes(text: string): Uint8Array {
  const NodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: string): Uint8Array } }).Buffer;
  return NodeBuffer ? NodeBuffer.from(text, 'latin1') : encoder.encode(text);
}

/** Writes Server-Sent Events into a response body. */
export interface SseWriter {
  /** `data: <json>\n\n` — the JSON text must already be serialised. */
  data(json: string): void;
  /**
   * `data: <json>\n\n` where each `placeholder` in `json` stands for the
   * pieces of `payload`, written as they are: a multi-megabyte data URL needs
   * no JSON escaping, so it is never copied into the JSON text nor re-encoded.
   * The payload must be ASCII (base64, a data URL header): strings, or
   * bytes that are written as they are (an image held as received).
   */
  dataWithPayload(json: string, placeholder: string, payload: readonly (string | Uint8Array)[]): void;
  /** `: <text>\n\n` — an SSE comment, ignored by OpenAI clients. */
  comment(text: string): void;
  /** `data: [DONE]\n\n`, then closes the stream. */
  finish(): void;
  /**
   * Sets what each heartbeat reports besides `: keep-alive`: a comment line
   * written before the keep-alive whenever its text changes (queue position,
   * elapsed time). Return undefined for nothing.
   */
  setProgress(progress: (() => string | undefined) | undefined): void;
  readonly closed: boolean;
}

export interface SseResponseOptions {
  heartbeatIntervalMs: number;
  headers?: Record<string, string>;
  /** Aborts when the client goes away (request.signal in most adapters). */
  clientSignal?: AbortSignal;
  /**
   * Produces the events. Its signal aborts when the client disconnects or the
   * body is cancelled. Whatever it throws has been handled by then: `run`
   * must write its own error event; a throw here only closes the stream.
   */
  run(writer: SseWriter, signal: AbortSignal): Promise<void>;
}

/**
 * A `text/event-stream` Response whose `: keep-alive` comments flow every
 * `heartbeatIntervalMs` from the start to the last byte (`run` writes the
 * first chunk synchronously, so headers go out at once), so proxies and clients never see a silent connection
 * while an image is queued or generating.
 *
 * @example
 * return createSseResponse({ heartbeatIntervalMs: 10_000, run: async (writer) => {
 *   writer.data(JSON.stringify(chunk)); writer.finish();
 * }});
 */
export function createSseResponse(options: SseResponseOptions): Response {
  const abort = new AbortController();
  let timer: ReturnType<typeof setInterval> | undefined;
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;
  let progress: (() => string | undefined) | undefined;
  let lastProgress: string | undefined;

  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    options.clientSignal?.removeEventListener('abort', onClientAbort);
    paced?.clear();
  };
  const close = () => {
    if (closed) return;
    closed = true;
    stop();
    try {
      controllerRef?.close();
    } catch {
      // Already closed or errored by a cancel: nothing left to flush.
    }
  };
  const enqueue = (bytes: Uint8Array) => {
    if (closed || !controllerRef) return;
    try {
      controllerRef.enqueue(bytes);
    } catch {
      closed = true;
      stop();
    }
  };
  // Made at the first big write (a waiting stream does without); from then on every write goes
  // through it, in order: a heartbeat must never land inside an image's data line.
  let paced: PacedWrites | undefined;
  const write = (bytes: Uint8Array) => (paced ? paced.write(bytes) : enqueue(bytes));
  const closeAfterWrites = () => (paced ? paced.afterPending(close) : close());
  const onClientAbort = () => {
    abort.abort(options.clientSignal?.reason);
    // Nobody reads any more; ending the body lets whatever still holds it finish.
    close();
  };

  const writer: SseWriter = {
    data: (json) => write(encoder.encode(`data: ${json}\n\n`)),
    dataWithPayload: (json, placeholder, payload) => {
      const pieces = json.split(placeholder);
      const bytes: Uint8Array[] = [];
      pieces.forEach((piece, index) => {
        bytes.push(encoder.encode(index === 0 ? `data: ${piece}` : piece));
        if (index < pieces.length - 1) for (const part of payload) bytes.push(typeof part === 'string' ? asciiBytes(part) : part);
      });
      bytes.push(encoder.encode('\n\n'));
      paced ??= createPacedWrites(enqueue, { ready: () => (controllerRef?.desiredSize ?? 0) > 0 });
      paced.writeSpread(bytes);
    },
    comment: (text) => write(encoder.encode(`: ${text}\n\n`)),
    finish: () => {
      write(done);
      closeAfterWrites();
    },
    setProgress: (next) => {
      progress = next;
    },
    get closed() {
      return closed;
    },
  };
  // Progress and keep-alive go out as one chunk: one socket write per beat per stream.
  const heartbeat = () => {
    const text = progress?.();
    if (text !== undefined && text !== lastProgress) {
      lastProgress = text;
      write(encoder.encode(`: ${text}\n\n: keep-alive\n\n`));
    } else write(keepAlive);
  };

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controllerRef = controller;
      if (options.clientSignal?.aborted) {
        onClientAbort();
        return;
      }
      options.clientSignal?.addEventListener('abort', onClientAbort, { once: true });
      timer = setInterval(heartbeat, options.heartbeatIntervalMs);
      timer.unref?.();
      options
        .run(writer, abort.signal)
        .catch(() => {})
        .finally(closeAfterWrites);
    },
    pull() {
      paced?.resume();
    },
    cancel(reason) {
      closed = true;
      stop();
      abort.abort(reason ?? new DOMException('The client closed the stream.', 'AbortError'));
    },
  });

  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      ...options.headers,
    },
  });
}
