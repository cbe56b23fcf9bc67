import { type Answer, answerToResponse } from './answer.js';
import { callFromRequest } from './incoming-call.js';
import type { ServeCall } from './serve-call.js';

/** How much of an unread upload the gateway reads and discards after an early answer, and for how long. */
export interface UnreadBodyLimits {
  /** Most bytes discarded; past them the connection closes. */
  maxBytes: number;
  /** Longest wait for the rest of the upload, in ms. */
  maxMs: number;
}

/**
 * Reads and discards a Web body stream, up to `limits`; never rejects. What
 * `gateway.fetch` does with an upload its answer did not need (a 401, a 404,
 * a 413), so the host (@hono/node-server, Next) does not close a connection
 * the client is still writing to: the kernel would reset it, and a client
 * still sending (Node's fetch, the openai SDK) would lose the answer.
 *
 * @example
 * await discardWebBody(request.body, { maxBytes: 16 * 1024 * 1024, maxMs: 5_000 });
 */
export async function discardWebBody(body: ReadableStream<Uint8Array>, limits: UnreadBodyLimits): Promise<void> {
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = body.getReader();
  } catch {
    return; // Locked or already read: nothing left for this reader to take.
  }
  const timer = setTimeout(() => {
    reader.cancel().catch(() => {});
  }, limits.maxMs);
  let discarded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      discarded += value.byteLength;
      if (discarded > limits.maxBytes) {
        reader.cancel().catch(() => {});
        return;
      }
    }
  } catch {
    // The client left, or the timer cancelled the read: either way, done.
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Web Response for a complete answer given while `unread` still holds
 * the upload: the answer's bytes go out at once (with their length, so the
 * client has all of it), and the body closes only once the upload was
 * discarded or a bound was reached.
 */
export function answerBeforeUnreadBody(answer: Answer, unread: ReadableStream<Uint8Array>, limits: UnreadBodyLimits): Response {
  const bytes = typeof answer.body === 'string' ? new TextEncoder().encode(answer.body) : new Uint8Array(0);
  const headers = new Headers(answer.headers);
  headers.set('content-length', String(bytes.byteLength));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      discardWebBody(unread, limits).then(() => {
        try {
          controller.close();
        } catch {
          // The host cancelled the response already.
        }
      });
    },
  });
  return new Response(body, { status: answer.status, headers });
}

/**
 * Serves a Web Request: what `gateway.fetch` runs. A complete answer given
 * before the upload was read waits for the rest of it (see
 * `answerBeforeUnreadBody`); every other answer goes out as it is.
 *
 * @example
 * const response = await serveRequest(serve, request, { maxBytes: 16 * 1024 * 1024, maxMs: 5_000 });
 */
export async function serveRequest(serve: ServeCall, request: Request, limits: UnreadBodyLimits): Promise<Response> {
  const call = callFromRequest(request);
  const answer = await serve(call);
  if (answer.stream || (answer.body !== undefined && typeof answer.body !== 'string')) return answerToResponse(answer);
  const unread = call.unreadBody();
  return unread ? answerBeforeUnreadBody(answer, unread, limits) : answerToResponse(answer);
}
