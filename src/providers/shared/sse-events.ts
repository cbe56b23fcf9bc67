import { type EventDataCollector, type ServerSentEvent, ServerSentEventParser, textCollector } from './sse-parser.js';
import type { UpstreamResponse } from './upstream-http.js';

/**
 * Reads an upstream `text/event-stream` body as events with text data. LF
 * and CRLF framing alike (Google frames with CRLF, OpenAI with LF). Lets go
 * of the body when the consumer stops early or the signal aborts.
 */
export function readServerSentEvents(response: UpstreamResponse, signal: AbortSignal): AsyncGenerator<ServerSentEvent<string>> {
  return readServerSentEventsWith(response, signal, textCollector);
}

/**
 * The same, with each event's data made by a collector of the caller's
 * choosing: one that reads JSON as it arrives never holds a big event as text.
 */
export async function* readServerSentEventsWith<Data>(
  response: UpstreamResponse,
  signal: AbortSignal,
  newCollector: () => EventDataCollector<Data>,
): AsyncGenerator<ServerSentEvent<Data>> {
  signal.throwIfAborted();
  const parser = new ServerSentEventParser(newCollector);
  for await (const chunk of response.chunks(signal)) {
    for (const event of parser.push(chunk)) {
      yield event;
      signal.throwIfAborted();
    }
  }
}
