import type { CancelSignal } from '../../lib/cancel-signal.js';
import type { JsonLiftingReader, LiftedJson } from '../../lib/json/json-lifting-reader.js';
import type { UpstreamResponse } from './upstream-response.js';

/**
 * Reads a JSON body chunk by chunk through `reader`, so that no step handles
 * the whole body at once; a byte-order mark at the start is dropped, as
 * `Response.text()` drops it. Rejects with the signal's reason on abort and
 * with the body's error when the connection breaks off.
 */
export async function readUpstreamJson(response: UpstreamResponse, reader: JsonLiftingReader, signal: CancelSignal): Promise<LiftedJson> {
  for await (const chunk of response.chunks(signal)) reader.push(chunk);
  signal.throwIfAborted();
  return reader.finish({ dropByteOrderMark: true });
}
