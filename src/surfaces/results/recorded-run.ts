import type { Piece } from '../../lib/body-pieces.js';
import type { Answer, ByteSink } from '../../server/answer.js';

const encoder = new TextEncoder();

/** An answer as it ended: status, headers and every byte of its body (heartbeats left out). */
export interface FinishedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** True for an event stream. */
  readonly streamed: boolean;
}

/** What a subscriber's answer says about how it was served, in `x-gateway-result`. */
export type ResultSource = 'started' | 'attached' | 'replayed';

/**
 * One detached generation's answer, recorded as it is produced so that any
 * number of subscribers get the same bytes: a subscriber that arrives late
 * is given what was written so far, then follows live. Nobody's departure
 * stops it: the producer writes into the recording, never to a socket, and
 * only its own deadline (the total timeout, the gateway's shutdown) ends it.
 * Heartbeats reach whoever is subscribed at the time and are not recorded.
 */
export class RecordedRun {
  readonly fingerprint: string;
  #status = 0;
  #headers: Record<string, string> = {};
  #streamed = false;
  readonly #chunks: Uint8Array[] = [];
  #size = 0;
  #ended = false;
  readonly #subscribers = new Set<ByteSink>();
  readonly #head: Promise<void>;
  #headReady: () => void = () => {};
  readonly finished: Promise<FinishedAnswer>;
  #finish: (answer: FinishedAnswer) => void = () => {};

  constructor(fingerprint: string) {
    this.fingerprint = fingerprint;
    this.#head = new Promise((resolve) => {
      this.#headReady = resolve;
    });
    this.finished = new Promise((resolve) => {
      this.#finish = resolve;
    });
  }

  /** Runs `produce` and records its answer; `failed` turns a throw into the answer to record. */
  start(produce: () => Promise<Answer>, failed: (error: unknown) => Answer): void {
    produce()
      .catch(failed)
      .then((answer) => this.#record(answer));
  }

  /** An answer that serves this run's bytes to one more client. A whole (non-stream) answer waits for the end. */
  async attach(source: ResultSource): Promise<Answer> {
    await this.#head;
    const headers = withSource(this.#headers, source);
    if (!this.#streamed) {
      const finished = await this.finished;
      return { status: finished.status, headers, body: [finished.body] };
    }
    return {
      status: this.#status,
      headers,
      stream: (sink) => {
        for (const chunk of this.#chunks) sink.write(chunk);
        if (this.#ended) {
          sink.close();
          return () => {};
        }
        this.#subscribers.add(sink);
        // A subscriber leaving only stops its own copy: the run goes on for the others and the store.
        return () => {
          this.#subscribers.delete(sink);
        };
      },
    };
  }

  #record(answer: Answer): void {
    this.#status = answer.status;
    this.#headers = answer.headers;
    if (!answer.stream) {
      for (const piece of bodyPieces(answer.body)) this.#keep(typeof piece === 'string' ? encoder.encode(piece) : piece);
      this.#end();
      this.#headReady();
      return;
    }
    this.#streamed = true;
    this.#headReady();
    answer.stream({
      write: (chunk) => {
        if (this.#ended) return;
        if (!isHeartbeat(chunk)) this.#keep(chunk);
        for (const sink of this.#subscribers) sink.write(chunk);
      },
      close: () => this.#end(),
      // The recording takes everything at once; a slow subscriber's own sink buffers its copy.
      ready: () => true,
      onReady: () => {},
    });
  }

  #keep(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#size += chunk.byteLength;
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const sink of this.#subscribers) sink.close();
    this.#subscribers.clear();
    const body = new Uint8Array(this.#size);
    let offset = 0;
    for (const chunk of this.#chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    this.#finish({ status: this.#status, headers: this.#headers, body, streamed: this.#streamed });
  }
}

function bodyPieces(body: Answer['body']): readonly Piece[] {
  if (body === undefined) return [];
  return typeof body === 'string' ? [body] : body;
}

/** The answer's headers with how this copy was served. */
export function withSource(headers: Readonly<Record<string, string>>, source: ResultSource): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const name of Object.keys(headers)) copy[name] = headers[name] as string;
  copy['x-gateway-result'] = source;
  return copy;
}

const colon = 0x3a;
const keepAliveTail = encoder.encode(': keep-alive\n\n');

/** A heartbeat as the SSE writer sends it: `: keep-alive`, perhaps after a progress comment, in one chunk. */
function isHeartbeat(chunk: Uint8Array): boolean {
  if (chunk.byteLength < keepAliveTail.byteLength || chunk[0] !== colon || chunk.byteLength > 512) return false;
  const start = chunk.byteLength - keepAliveTail.byteLength;
  for (let index = 0; index < keepAliveTail.byteLength; index++) if (chunk[start + index] !== keepAliveTail[index]) return false;
  return true;
}
