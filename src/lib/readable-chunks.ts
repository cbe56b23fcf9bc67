import type { Readable } from 'node:stream';
import type { CancelSignal } from './cancel-signal.js';
import { nextChunk } from './readable-next-chunk.js';

/**
 * How many bytes a body hands on before it lets the event loop turn. The
 * socket layer reads up to 2 MB per socket in one poll phase when the reader
 * keeps up, so 20 big answers arriving together would be 40 MB of work in a
 * single turn; past this budget the reader waits for the next turn and the
 * kernel holds the rest (TCP flow control slows the sender).
 */
export const bytesPerTurn = 256 * 1024;

/**
 * The chunks of an upstream body as they arrive, at most `bytesPerTurn` per
 * turn of the event loop. A reader that stops early (a stream's `[DONE]`
 * read before the body's end) lets go of the rest with undici's `dump()`,
 * which reads a short remainder so the connection goes back to the pool,
 * where Node's async iterator would destroy the body (making an AbortError,
 * stack trace included, and closing a connection still in use).
 *
 * @example
 * for await (const chunk of readableChunks(answer.body, signal)) parser.push(chunk);
 */
export async function* readableChunks(readable: Readable, signal?: CancelSignal): AsyncGenerator<Buffer> {
  let ended = false;
  let bytesSinceTurn = 0;
  try {
    while (true) {
      const chunk = await nextChunk(readable);
      if (signal?.aborted) throw signal.reason;
      if (chunk === null) {
        ended = true;
        return;
      }
      yield chunk;
      bytesSinceTurn += chunk.length;
      if (bytesSinceTurn >= bytesPerTurn) {
        bytesSinceTurn = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    if (!ended) letGo(readable);
  }
}

/** Reads a short remainder so the connection can be reused (undici), or destroys the body. */
function letGo(readable: Readable): void {
  const body = readable as Readable & { dump?: () => Promise<unknown> };
  if (typeof body.dump === 'function') body.dump().catch(() => {});
  else readable.destroy();
}
