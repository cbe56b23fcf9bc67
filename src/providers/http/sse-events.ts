import { type EventDataCollector, type ServerSentEvent, ServerSentEventParser, textCollector } from './sse-parser.js';

/**
 * Reads an upstream `text/event-stream` body as events with text data. LF
 * and CRLF framing alike (Google frames with CRLF, OpenAI with LF). Cancels
 * the body when the consumer stops early or the signal aborts.
 */
export function readServerSentEvents(
  body: ReadableStream<Uint8Array> | null,
  signal: AbortSignal,
): AsyncGenerator<ServerSentEvent<string>> {
  return readServerSentEventsWith(body, signal, textCollector);
}

/**
 * The same, with each event's data made by a collector of the caller's
 * choosing: one that reads JSON as it arrives never holds a big event as text.
 */
export async function* readServerSentEventsWith<Data>(
  body: ReadableStream<Uint8Array> | null,
  signal: AbortSignal,
  newCollector: () => EventDataCollector<Data>,
): AsyncGenerator<ServerSentEvent<Data>> {
  if (!body) return;
  const parser = new ServerSentEventParser(newCollector);
  const reader = body.getReader();
  const onAbort = () => {
    reader.cancel(signal.reason).catch(() => {});
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (true) {
      if (signal.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (done) return;
      for (const event of parser.push(value)) {
        yield event;
        if (signal.aborted) throw signal.reason;
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    reader.cancel().catch(() => {});
  }
}
