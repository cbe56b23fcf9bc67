import { type EventSourceMessage, EventSourceParserStream } from 'eventsource-parser/stream';

/**
 * Reads an upstream `text/event-stream` body as messages. eventsource-parser
 * handles LF and CRLF framing alike (Google frames with CRLF, OpenAI with LF).
 * Cancels the body when the consumer stops early or the signal aborts.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array> | null,
  signal: AbortSignal,
): AsyncGenerator<EventSourceMessage> {
  if (!body) return;
  // DOM typings declare TextDecoderStream's writable side as BufferSource; bytes are what it takes.
  const decoder = new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>;
  const stream = body.pipeThrough(decoder).pipeThrough(new EventSourceParserStream());
  const reader = stream.getReader();
  const onAbort = () => {
    reader.cancel(signal.reason).catch(() => {});
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (true) {
      if (signal.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    reader.cancel().catch(() => {});
  }
}
