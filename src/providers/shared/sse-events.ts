import { UpstreamError } from '../../errors/upstream-error.js';
import type { LiftedJson } from '../../lib/json/json-lifting-reader.js';
import type { GenerationSignal } from '../../provider.js';
import { type EventDataCollector, type ServerSentEvent, ServerSentEventParser, textCollector } from './sse-parser.js';
import { transportFailure } from './upstream-fetch.js';
import type { UpstreamResponse } from './upstream-http.js';

/** Whose stream it is, for the failure a broken connection becomes. */
export interface StreamOrigin {
  provider: string;
  url: string;
}

/**
 * Reads an upstream `text/event-stream` body as events with text data. LF
 * and CRLF framing alike (Google frames with CRLF, OpenAI with LF). Lets go
 * of the body when the consumer stops early or the signal aborts.
 */
export function readServerSentEvents(
  response: UpstreamResponse,
  signal: GenerationSignal,
  origin: StreamOrigin,
): AsyncGenerator<ServerSentEvent<string>> {
  return readServerSentEventsWith(response, signal, textCollector, origin);
}

/**
 * The same, with each event's data made by a collector of the caller's
 * choosing: one that reads JSON as it arrives never holds a big event as text.
 * A connection that breaks mid-stream (reset, cut off) is a retryable
 * upstream failure of `origin`, as it is for an answer read whole: the
 * dispatcher can then count it against the instance and fall back.
 */
export async function* readServerSentEventsWith<Data>(
  response: UpstreamResponse,
  signal: GenerationSignal,
  newCollector: () => EventDataCollector<Data>,
  origin: StreamOrigin,
): AsyncGenerator<ServerSentEvent<Data>> {
  signal.throwIfAborted();
  const parser = new ServerSentEventParser(newCollector);
  const chunks = response.chunks(signal)[Symbol.asyncIterator]();
  try {
    while (true) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw transportFailure(origin.provider, 'the streamed', origin.url, error, signal);
      }
      if (next.done) return;
      for (const event of parser.push(next.value)) {
        yield event;
        signal.throwIfAborted();
      }
    }
  } finally {
    // Stopped early (the consumer left, or failed): let go of the body.
    await chunks.return?.();
  }
}

/**
 * The JSON object of one stream event, read as it arrived (big image data
 * lifted out); an event that is no JSON object is a retryable failure of
 * the stream, named as `what` ("the chat stream sent a chunk").
 *
 * @example
 * const chunk = parseEventObject<ChatChunk>(message.data, { provider, url }, 'the chat stream sent a chunk');
 */
export function parseEventObject<Event extends object>(data: LiftedJson, upstream: { provider: string; url: string }, what: string): Event {
  try {
    const value: unknown = data.parse();
    if (typeof value === 'object' && value !== null) return value as Event;
  } catch {
    // Falls through to the error below.
  }
  throw new UpstreamError({
    provider: upstream.provider,
    kind: 'server',
    status: 200,
    message: `${what} that is not JSON`,
    url: upstream.url,
  });
}
