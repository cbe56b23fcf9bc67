import { finished, type Readable } from 'node:stream';
import { bytesPerTurn } from '../../lib/body-pieces.js';

/**
 * A web ReadableStream over a Node Readable that hands on the Node chunks
 * themselves. `Readable.toWeb` copies every chunk ("to detach it from the
 * pool"), which for a 15 MB image answer is a 15 MB copy and as much
 * external memory for the GC to chase; our readers only read the chunks, so
 * they need no copy. Backpressure is the Readable's own: it is paused while
 * the web stream holds its high-water mark in bytes, and for the rest of an
 * event-loop turn once `bytesPerTurn` went through in it.
 *
 * @example
 * const response = new Response(bodyStreamOf(answer.body), { status: answer.statusCode, headers });
 */
export function bodyStreamOf(readable: Readable): ReadableStream<Uint8Array> {
  let cancelled = false;
  let bytesThisTurn = 0;
  let turnEnding = false;
  let wanted = false;
  const nextTurn = () => {
    turnEnding = false;
    bytesThisTurn = 0;
    if (wanted && !cancelled) readable.resume();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        readable.pause();
        readable.on('data', (chunk: Buffer) => {
          if (cancelled) return;
          controller.enqueue(chunk);
          bytesThisTurn += chunk.length;
          wanted = (controller.desiredSize ?? 0) > 0;
          if (!wanted || bytesThisTurn >= bytesPerTurn) readable.pause();
          if (bytesThisTurn >= bytesPerTurn && !turnEnding) {
            turnEnding = true;
            setImmediate(nextTurn);
          }
        });
        finished(readable, (error) => {
          // Later errors of a legacy stream must not surface as unhandled.
          readable.on('error', () => {});
          if (cancelled) return;
          if (error) controller.error(error);
          else controller.close();
        });
      },
      pull() {
        wanted = true;
        if (!turnEnding) readable.resume();
      },
      cancel(reason) {
        cancelled = true;
        readable.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: readable.readableHighWaterMark }),
  );
}
