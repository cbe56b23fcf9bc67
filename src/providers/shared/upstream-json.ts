import type { JsonLiftingReader, LiftedJson } from '../../lib/json/json-lifting-reader.js';
import type { GenerationSignal } from '../../provider.js';
import { transportFailure, upstreamFailure } from './upstream-fetch.js';
import type { UpstreamResponse } from './upstream-http.js';

/**
 * Reads a JSON body chunk by chunk through `reader`, so that no step handles
 * the whole body at once; a byte-order mark at the start is dropped, as
 * `Response.text()` drops it. Rejects with the signal's reason on abort and
 * with the body's error when the connection breaks off.
 */
export async function readUpstreamJson(
  response: UpstreamResponse,
  reader: JsonLiftingReader,
  signal: GenerationSignal,
): Promise<LiftedJson> {
  for await (const chunk of response.chunks(signal)) reader.push(chunk);
  signal.throwIfAborted();
  return reader.finish({ dropByteOrderMark: true });
}

/**
 * The JSON object of a successful upstream answer, read through `reader`
 * (which lifts the wire format's image data out as it arrives). A
 * connection lost mid-body, or a body that is not a JSON object, is a
 * retryable server failure; an abort stays an abort.
 *
 * @example
 * const body = await readJsonObject<ImagesAnswer>(response, { provider: 'openai', url }, signal, newImagesAnswerReader());
 */
export async function readJsonObject<Body extends object>(
  response: UpstreamResponse,
  upstream: { provider: string; url: string },
  signal: GenerationSignal,
  reader: JsonLiftingReader,
): Promise<Body> {
  let json: LiftedJson;
  try {
    json = await readUpstreamJson(response, reader, signal);
  } catch (error) {
    throw transportFailure(upstream.provider, 'the upstream', upstream.url, error, signal);
  }
  try {
    const value: unknown = json.parse();
    if (typeof value === 'object' && value !== null) return value as Body;
  } catch {
    // Falls through to the error below.
  }
  throw upstreamFailure(
    upstream.provider,
    upstream.url,
    'the upstream answered with something that is not JSON',
    undefined,
    response.status,
  );
}
