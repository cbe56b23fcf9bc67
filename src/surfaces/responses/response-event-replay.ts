import type { Answer, ByteSink } from '../../server/answer.js';

const newline = 0x0a;
const sequencePattern = /"sequence_number":(\d+)/;

/**
 * An event stream from the first event whose `sequence_number` is above
 * `startingAfter` (`GET /v1/responses/{id}?stream=true&starting_after=N`);
 * comments pass. Once an event passes, everything after it passes as it
 * comes: events are numbered in order.
 */
export function eventsAfter(answer: Answer, startingAfter: number): Answer {
  const headers = answer.headers;
  if (answer.stream) {
    const stream = answer.stream;
    return { status: answer.status, headers, stream: (sink) => stream(new EventFilter(sink, startingAfter)) };
  }
  const kept: Uint8Array[] = [];
  const filter = new EventFilter(
    {
      write: (chunk) => kept.push(chunk),
      close: () => {},
      ready: () => true,
      onReady: () => {},
    },
    startingAfter,
  );
  for (const piece of answer.body ?? []) filter.write(typeof piece === 'string' ? new TextEncoder().encode(piece) : piece);
  return { status: answer.status, headers, body: kept };
}

/** Splits bytes into SSE events (`\n\n`-ended) until one passes; the parts of a big event are joined once, at its end. */
class EventFilter implements ByteSink {
  readonly #sink: ByteSink;
  readonly #after: number;
  #parts: Uint8Array[] = [];
  #lastByte = 0;
  #passing = false;

  constructor(sink: ByteSink, after: number) {
    this.#sink = sink;
    this.#after = after;
  }

  write(chunk: Uint8Array): void {
    if (this.#passing) {
      this.#sink.write(chunk);
      return;
    }
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    let at = bytes.indexOf(newline);
    while (at !== -1) {
      const previous = at > start ? bytes[at - 1] : this.#parts.length > 0 ? this.#lastByte : 0;
      if (previous === newline) {
        this.#parts.push(bytes.subarray(start, at + 1));
        const event = Buffer.concat(this.#parts);
        this.#parts = [];
        start = at + 1;
        if (this.#passes(event)) {
          this.#passing = true;
          this.#sink.write(event);
          if (start < bytes.length) this.#sink.write(bytes.subarray(start));
          return;
        }
      }
      at = bytes.indexOf(newline, at + 1);
    }
    if (start < bytes.length) {
      this.#parts.push(bytes.subarray(start));
      this.#lastByte = bytes[bytes.length - 1] as number;
    }
  }

  close(): void {
    this.#sink.close();
  }

  ready(): boolean {
    return this.#sink.ready();
  }

  onReady(callback: () => void): void {
    this.#sink.onReady(callback);
  }

  #passes(event: Buffer): boolean {
    if (event[0] === 0x3a) {
      // A comment (heartbeat, served-by): passed on, it does not start the replay.
      this.#sink.write(event);
      return false;
    }
    const found = sequencePattern.exec(event.toString('latin1', 0, Math.min(event.length, 512)));
    return found === null || Number(found[1]) > this.#after;
  }
}
