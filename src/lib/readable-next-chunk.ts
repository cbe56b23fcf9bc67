import type { Readable } from 'node:stream';

/**
 * The next of a Node stream's chunks (all that is buffered), or null at its
 * end; rejects with the stream's error, or a plain one when it closed before
 * its end. Read with read() and one wait per chunk: Node's async iterator
 * (end-of-stream tracking, several listeners and promises per step, and a
 * destroy with a new AbortError when the reader stops early) costs more than
 * the rest of reading a small body.
 *
 * @example
 * for (let chunk = await nextChunk(body); chunk !== null; chunk = await nextChunk(body)) parser.push(chunk);
 */
export function nextChunk(readable: Readable): Promise<Buffer | null> {
  const buffered = readable.read() as Buffer | null;
  if (buffered !== null) return Promise.resolve(buffered);
  if (readable.readableEnded) return Promise.resolve(null);
  if (readable.destroyed) return Promise.reject(readable.errored ?? cutOff());
  return new Promise((resolve, reject) => {
    const onReadable = () => {
      const chunk = readable.read() as Buffer | null;
      if (chunk === null && !readable.readableEnded) return;
      detach();
      resolve(chunk);
    };
    const onEnd = () => {
      detach();
      resolve(null);
    };
    const onError = (error: unknown) => {
      detach();
      reject(error);
    };
    const onClose = () => {
      detach();
      if (readable.readableEnded) resolve(null);
      else reject(readable.errored ?? cutOff());
    };
    const detach = () => {
      readable.off('readable', onReadable);
      readable.off('end', onEnd);
      readable.off('error', onError);
      readable.off('close', onClose);
    };
    readable.on('readable', onReadable);
    readable.on('end', onEnd);
    readable.on('error', onError);
    readable.on('close', onClose);
  });
}

function cutOff(): Error {
  return new Error('the stream closed before its end');
}
