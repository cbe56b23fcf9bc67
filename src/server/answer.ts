import type { Piece } from '../lib/body-pieces.js';

/**
 * What the core answers, before it becomes anything host-specific. The
 * gateway's `fetch` turns it into a Web Response; the Node adapters write it
 * to a ServerResponse directly, so a Node request never builds Web Request,
 * Response or stream objects it does not need.
 */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** A body the core already holds in full: text, or pieces written in order (a big image stays a Buffer view). */
  body?: string | readonly Piece[];
  /** A body produced over time (an event stream). */
  stream?: AnswerStream;
}

/** Where a streamed answer writes its bytes. */
export interface ByteSink {
  write(chunk: Uint8Array): void;
  /** Ends the body; later writes are dropped. */
  close(): void;
  /** Whether the reader takes more now (socket not full, stream below its high-water mark). */
  ready(): boolean;
  /** Calls `callback` each time the reader takes more again after `ready()` was false. */
  onReady(callback: () => void): void;
}

/**
 * Starts producing into `sink` and returns what to call when the reader goes
 * away before the end (client disconnected, body cancelled).
 */
export type AnswerStream = (sink: ByteSink) => (reason: unknown) => void;

/**
 * A complete answer with a text body.
 *
 * @example
 * return textAnswer(JSON.stringify(payload), 200, { 'content-type': 'application/json' });
 */
export function textAnswer(body: string, status: number, headers: Record<string, string>): Answer {
  return { status, headers, body };
}

/**
 * An answer whose body is pieces: text (UTF-8) and bytes written as they are,
 * so a 15 MB image goes out as the bytes it arrived in. All-text bodies are joined.
 */
export function piecesAnswer(pieces: readonly Piece[], status: number, headers: Record<string, string>): Answer {
  if (pieces.every((piece) => typeof piece === 'string')) return textAnswer(pieces.join(''), status, headers);
  return { status, headers, body: pieces };
}

/** A JSON answer. */
export function jsonAnswer(payload: unknown, status = 200, headers: Record<string, string> = {}): Answer {
  return textAnswer(JSON.stringify(payload), status, { 'content-type': 'application/json', ...headers });
}

/** The Web Response for an answer: what `gateway.fetch` returns. */
export function answerToResponse(answer: Answer): Response {
  const init = { status: answer.status, headers: answer.headers };
  if (answer.stream) return new Response(streamToReadable(answer.stream), init);
  if (answer.body === undefined) return new Response(null, init);
  if (typeof answer.body === 'string') return new Response(answer.body, init);
  return new Response(new Blob(answer.body as BlobPart[]), init);
}

function streamToReadable(stream: AnswerStream): ReadableStream<Uint8Array> {
  let cancel: ((reason: unknown) => void) | undefined;
  let whenReady: (() => void) | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      cancel = stream({
        ready: () => (controller.desiredSize ?? 0) > 0,
        onReady: (callback) => {
          whenReady = callback;
        },
        write(chunk) {
          if (closed) return;
          try {
            controller.enqueue(chunk);
          } catch {
            closed = true;
          }
        },
        close() {
          if (closed) return;
          closed = true;
          try {
            controller.close();
          } catch {
            // Already closed or errored by a cancel: nothing left to flush.
          }
        },
      });
    },
    pull() {
      whenReady?.();
    },
    cancel(reason) {
      cancel?.(reason ?? new DOMException('The client closed the stream.', 'AbortError'));
    },
  });
}
