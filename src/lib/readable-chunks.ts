import type { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { bytesPerTurn } from './body-pieces.js';
import type { CancelSignal } from './cancel-signal.js';
import { nextChunk } from './readable-next-chunk.js';

/**
 * The chunks of an upstream body as they arrive, at most `bytesPerTurn` per
 * turn of the event loop: the socket layer reads up to 2 MB per socket in
 * one poll phase when the reader keeps up, so 20 big answers arriving
 * together would be 40 MB of work in one turn; past the budget the reader
 * waits for the next turn and the kernel holds the rest (TCP flow control
 * slows the sender). A reader that stops early (a stream's `[DONE]`
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
        await nextTurn();
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
