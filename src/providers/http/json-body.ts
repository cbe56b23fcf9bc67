import type { JsonLiftingReader, LiftedJson } from '../../json/json-lifting-reader.js';

/**
 * Reads a JSON body chunk by chunk through `reader`, so that no step handles
 * the whole body at once; a byte-order mark at the start is dropped, as
 * `Response.text()` drops it. Rejects with the signal's reason on abort and
 * with the stream's error when the connection breaks off.
 */
export async function readUpstreamJson(
  body: ReadableStream<Uint8Array> | null,
  reader: JsonLiftingReader,
  signal: AbortSignal,
): Promise<LiftedJson> {
  if (body) {
    const chunks = body.getReader();
    const onAbort = () => {
      chunks.cancel(signal.reason).catch(() => {});
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (true) {
        const { done, value } = await chunks.read();
        if (signal.aborted) throw signal.reason;
        if (done) break;
        reader.push(value);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      chunks.cancel().catch(() => {});
    }
  }
  return reader.finish({ dropByteOrderMark: true });
}
