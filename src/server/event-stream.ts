import type { Piece } from '../lib/body-pieces.js';
import { createPacedWrites, type PacedWrites } from '../lib/paced-writes.js';
import type { Answer, ByteSink } from './answer.js';
import { heartbeatClock } from './heartbeat-clock.js';

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
  /**
   * `data: <json>\n\n` — the JSON text must already be serialised. With
   * `event`, an `event: <name>` line goes first, as the Images and Responses
   * APIs name their events.
   */
  data(json: string, event?: string): void;
  /**
   * `data: <json>\n\n` where each `placeholder` in `json` stands for the
   * pieces of `payload`, written as they are: a multi-megabyte data URL needs
   * no JSON escaping, so it is never copied into the JSON text nor re-encoded.
   * The payload must be ASCII (base64, a data URL header): strings, or
   * bytes that are written as they are (an image held as received).
   */
  dataWithPayload(json: string, placeholder: string, payload: readonly Piece[], event?: string): void;
  /** `: <text>\n\n` — an SSE comment, ignored by OpenAI clients. */
  comment(text: string): void;
  /** `data: [DONE]\n\n`, then closes the stream. */
  finish(): void;
  /** Closes the stream without `[DONE]`: the Images and Responses APIs end on their last named event. */
  end(): void;
  /**
   * Sets what each heartbeat reports besides `: keep-alive`: a comment line
   * written before the keep-alive whenever its text changes (queue position,
   * elapsed time). Return undefined for nothing.
   */
  setProgress(progress: (() => string | undefined) | undefined): void;
  readonly closed: boolean;
}

export interface SseAnswerOptions {
  heartbeatIntervalMs: number;
  headers?: Record<string, string>;
  /** Subscribes to the client going away (returns how to unsubscribe): the body ends at once. */
  clientGone?: (listener: (reason: unknown) => void) => () => void;
  /** Called once when the reader goes away before the end (client gone, body cancelled). */
  onCancel(reason: unknown): void;
  /**
   * Produces the events. Whatever it throws has been handled by then: `run`
   * must write its own error event; a throw here only closes the stream.
   */
  run(writer: SseWriter): Promise<void>;
}

/**
 * A `text/event-stream` answer whose `: keep-alive` comments flow every
 * `heartbeatIntervalMs` from the start to the last byte (`run` writes the
 * first chunk synchronously, so headers go out at once), so proxies and
 * clients never see a silent connection while an image is queued or
 * generating. `no-transform` keeps compression middleware from buffering it.
 *
 * @example
 * return createSseAnswer({ heartbeatIntervalMs: 10_000, onCancel: () => {}, run: async (writer) => {
 *   writer.data(JSON.stringify(chunk)); writer.finish();
 * }});
 */
export function createSseAnswer(options: SseAnswerOptions): Answer {
  return {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      ...options.headers,
    },
    stream: (sink) => startEvents(sink, options),
  };
}

function startEvents(sink: ByteSink, options: SseAnswerOptions): (reason: unknown) => void {
  const stream = new EventStream(sink, options);
  stream.start();
  return (reason) => stream.cancel(reason);
}

// A class rather than closures and an object literal: thousands wait at once, and each closure
// context and literal with a getter costs more per stream than these fields.
class EventStream implements SseWriter {
  readonly #sink: ByteSink;
  readonly #options: SseAnswerOptions;
  #closed = false;
  #progress: (() => string | undefined) | undefined;
  #lastProgress: string | undefined;
  #unsubscribe: (() => void) | undefined;
  /**
   * Made at the first big write (a waiting stream does without); from then on every write goes
   * through it, in order: a heartbeat must never land inside an image's data line.
   */
  #paced: PacedWrites | undefined;

  constructor(sink: ByteSink, options: SseAnswerOptions) {
    this.#sink = sink;
    this.#options = options;
  }

  get closed(): boolean {
    return this.#closed;
  }

  start(): void {
    this.#unsubscribe = this.#options.clientGone?.((reason) => this.#clientGone(reason));
    if (this.#closed) return;
    heartbeatClock(this.#options.heartbeatIntervalMs).add(this);
    this.#options
      .run(this)
      .catch(() => {})
      .finally(() => this.#closeAfterWrites());
  }

  /** The reader went away before the end. */
  cancel(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop();
    this.#options.onCancel(reason);
  }

  data(json: string, event?: string): void {
    this.#write(encoder.encode(event ? `event: ${event}\ndata: ${json}\n\n` : `data: ${json}\n\n`));
  }

  dataWithPayload(json: string, placeholder: string, payload: readonly Piece[], event?: string): void {
    if (this.#closed) return;
    const pieces = json.split(placeholder);
    const parts: Piece[] = [];
    const head = event ? `event: ${event}\ndata: ` : 'data: ';
    pieces.forEach((piece, index) => {
      parts.push(encoder.encode(index === 0 ? `${head}${piece}` : piece));
      // Payload text is ASCII: the paced sink turns each slice of it into bytes as it goes out.
      if (index < pieces.length - 1) for (const part of payload) parts.push(part);
    });
    parts.push(encoder.encode('\n\n'));
    this.#pacedWrites().writeSpread(parts);
  }

  comment(text: string): void {
    this.#write(encoder.encode(`: ${text}\n\n`));
  }

  finish(): void {
    this.#write(done);
    this.#closeAfterWrites();
  }

  end(): void {
    this.#closeAfterWrites();
  }

  setProgress(progress: (() => string | undefined) | undefined): void {
    this.#progress = progress;
  }

  /** Progress and keep-alive go out as one chunk: one socket write per beat per stream. */
  beat(): void {
    const text = this.#progress?.();
    if (text !== undefined && text !== this.#lastProgress) {
      this.#lastProgress = text;
      this.#write(encoder.encode(`: ${text}\n\n: keep-alive\n\n`));
    } else this.#write(keepAlive);
  }

  #write(bytes: Uint8Array): void {
    if (this.#closed) return;
    if (this.#paced) this.#paced.write(bytes);
    else this.#sink.write(bytes);
  }

  #pacedWrites(): PacedWrites {
    if (!this.#paced) {
      const sink = this.#sink;
      const paced = createPacedWrites((piece) => sink.write(typeof piece === 'string' ? asciiBytes(piece) : piece), {
        ready: () => sink.ready(),
      });
      sink.onReady(() => paced.resume());
      this.#paced = paced;
    }
    return this.#paced;
  }

  #closeAfterWrites(): void {
    if (this.#paced) this.#paced.afterPending(() => this.#close());
    else this.#close();
  }

  #clientGone(reason: unknown): void {
    this.#options.onCancel(reason);
    // Nobody reads any more; ending the body lets whatever still holds it finish.
    this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop();
    this.#sink.close();
  }

  #stop(): void {
    this.#paced?.clear();
    heartbeatClock(this.#options.heartbeatIntervalMs).delete(this);
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
