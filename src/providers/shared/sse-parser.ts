/** One server-sent event: its `data` lines as the collector made them, and its `event` and `id` fields. */
export interface ServerSentEvent<Data> {
  event?: string;
  id?: string;
  data: Data;
}

/**
 * Receives the bytes of one event's `data` lines as they arrive (lines
 * joined with "\n", as the SSE spec joins them), and makes the event's data
 * at the blank line that ends it.
 */
export interface EventDataCollector<Data> {
  push(bytes: Uint8Array): void;
  finish(): Data;
}

type LineState = 'field' | 'space' | 'data' | 'value' | 'skip';

const lineFeed = 0x0a;
const carriageReturn = 0x0d;
const newline = Buffer.from('\n');
const byteOrderMark = [0xef, 0xbb, 0xbf];
// A byte-order mark is dropped at the start of the stream only; inside an event it is text.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
/** The longest field name we act on ("event", "retry"); longer names are unknown fields, skipped. */
const maxFieldLength = 5;

/**
 * The SSE wire format (WHATWG HTML §9.2.6) read as bytes: LF, CRLF and CR
 * line ends, `data`, `event` and `id` fields, comments, a leading byte-order
 * mark, events dispatched at a blank line, and a cut-off last event dropped.
 * A `data` line goes to the event's collector as views of the chunks, so a
 * 15 MB line is never gathered into one string by this parser.
 *
 * @example
 * const parser = new ServerSentEventParser(() => textCollector());
 * parser.push(Buffer.from('data: {"a":1}\n\n')); // [{ data: '{"a":1}' }]
 */
export class ServerSentEventParser<Data> {
  readonly #newCollector: () => EventDataCollector<Data>;
  #state: LineState = 'field';
  /** The field name read so far on this line, while `#state` is 'field'. */
  #field = '';
  /** Where a field's value goes once its optional leading space is skipped. */
  #valueState: 'data' | 'value' = 'data';
  #valuePieces: Uint8Array[] = [];
  #collector: EventDataCollector<Data> | undefined;
  #dataLines = 0;
  #eventType: string | undefined;
  #id: string | undefined;
  /** The last line ended with CR: an LF right after it belongs to the same line end. */
  #skipLineFeed = false;
  /** Bytes held at the start of the stream until it is known whether they are a byte-order mark. */
  #start: Buffer | undefined = Buffer.alloc(0);
  // The next LF and CR in the current chunk, found once per chunk rather than once per line.
  #nextFeed = -1;
  #nextCarriage = -1;

  constructor(newCollector: () => EventDataCollector<Data>) {
    this.#newCollector = newCollector;
  }

  /** Reads a chunk; returns the events it completed. */
  push(bytes: Uint8Array): ServerSentEvent<Data>[] {
    let chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.#start) {
      chunk = this.#start.length > 0 ? Buffer.concat([this.#start, chunk]) : chunk;
      const marked = byteOrderMark.every((byte, index) => index >= chunk.length || chunk[index] === byte);
      if (marked && chunk.length < byteOrderMark.length) {
        this.#start = chunk;
        return [];
      }
      this.#start = undefined;
      if (marked) chunk = chunk.subarray(byteOrderMark.length);
    }
    const events: ServerSentEvent<Data>[] = [];
    this.#nextFeed = -1;
    this.#nextCarriage = -1;
    let position = 0;
    while (position < chunk.length) {
      const byte = chunk[position] as number;
      if (this.#skipLineFeed) {
        this.#skipLineFeed = false;
        if (byte === lineFeed) {
          position += 1;
          continue;
        }
      }
      if (byte === lineFeed || byte === carriageReturn) {
        this.#skipLineFeed = byte === carriageReturn;
        this.#endLine(events);
        position += 1;
        continue;
      }
      position = this.#readLine(chunk, position);
    }
    return events;
  }

  /** Reads from `start` (not a line end) up to the next line end or the chunk's end. */
  #readLine(chunk: Buffer, start: number): number {
    if (this.#state === 'field') return this.#readField(chunk, start);
    if (this.#state === 'space') {
      this.#state = this.#valueState;
      if (chunk[start] === 0x20) return start + 1;
    }
    const end = this.#lineEnd(chunk, start);
    if (this.#state === 'data') this.#collector?.push(chunk.subarray(start, end));
    else if (this.#state === 'value') this.#valuePieces.push(chunk.subarray(start, end));
    return end;
  }

  #readField(chunk: Buffer, start: number): number {
    let position = start;
    while (position < chunk.length) {
      const byte = chunk[position] as number;
      if (byte === lineFeed || byte === carriageReturn) return position;
      position += 1;
      if (byte === 0x3a) {
        this.#beginValue();
        return position;
      }
      this.#field += String.fromCharCode(byte);
      if (this.#field.length > maxFieldLength) {
        this.#state = 'skip';
        return position;
      }
    }
    return position;
  }

  /** After `name:`: comments and unknown fields are skipped; the value of `data` streams to the collector. */
  #beginValue(): void {
    const field = this.#field;
    if (field === 'data') {
      this.#beginDataLine();
      this.#valueState = 'data';
      this.#state = 'space';
    } else if (field === 'event' || field === 'id') {
      this.#valuePieces = [];
      this.#valueState = 'value';
      this.#state = 'space';
    } else {
      this.#state = 'skip';
    }
  }

  #beginDataLine(): void {
    this.#collector ??= this.#newCollector();
    if (this.#dataLines > 0) this.#collector.push(newline);
    this.#dataLines += 1;
  }

  #endLine(events: ServerSentEvent<Data>[]): void {
    if (this.#state === 'field') {
      // A line without a colon is a field with an empty value; an empty line ends the event.
      if (this.#field === '') this.#dispatch(events);
      else if (this.#field === 'data') this.#beginDataLine();
      else if (this.#field === 'event') this.#eventType = undefined;
      else if (this.#field === 'id') this.#id = '';
    } else if (this.#state === 'value' || (this.#state === 'space' && this.#valueState === 'value')) {
      const value = decoder.decode(Buffer.concat(this.#valuePieces));
      if (this.#field === 'event') this.#eventType = value || undefined;
      else if (!value.includes('\u0000')) this.#id = value;
      this.#valuePieces = [];
    }
    this.#field = '';
    this.#state = 'field';
  }

  /** The next line end at or after `start`: a remembered position is reused while it lies ahead. */
  #lineEnd(chunk: Buffer, start: number): number {
    if (this.#nextFeed !== chunk.length && this.#nextFeed < start) this.#nextFeed = indexOrEnd(chunk, lineFeed, start);
    if (this.#nextCarriage !== chunk.length && this.#nextCarriage < start) this.#nextCarriage = indexOrEnd(chunk, carriageReturn, start);
    return Math.min(this.#nextFeed, this.#nextCarriage);
  }

  #dispatch(events: ServerSentEvent<Data>[]): void {
    if (this.#dataLines > 0 && this.#collector) {
      const event: ServerSentEvent<Data> = { data: this.#collector.finish() };
      if (this.#eventType !== undefined) event.event = this.#eventType;
      if (this.#id !== undefined) event.id = this.#id;
      events.push(event);
    }
    this.#collector = undefined;
    this.#dataLines = 0;
    this.#eventType = undefined;
    this.#id = undefined;
  }
}

/** Collects an event's data as text: the bytes are decoded once, at the end of the event. */
export function textCollector(): EventDataCollector<string> {
  const pieces: Uint8Array[] = [];
  return {
    push: (bytes) => {
      pieces.push(bytes);
    },
    finish: () => decoder.decode(Buffer.concat(pieces)),
  };
}

function indexOrEnd(chunk: Buffer, byte: number, start: number): number {
  const found = chunk.indexOf(byte, start);
  return found === -1 ? chunk.length : found;
}
