import { describe, expect, it } from 'vitest';
import { readServerSentEvents, readServerSentEventsWith } from '../../../src/providers/shared/sse-events.js';
import { type EventDataCollector, ServerSentEventParser, textCollector } from '../../../src/providers/shared/sse-parser.js';
import type { UpstreamResponse } from '../../../src/providers/shared/upstream-http.js';

/** Every event of `stream` fed in chunks of `size` bytes. */
function parse(stream: string | Buffer, size: number) {
  const bytes = typeof stream === 'string' ? Buffer.from(stream) : stream;
  const parser = new ServerSentEventParser(textCollector);
  const events = [];
  for (let start = 0; start < bytes.length; start += size) events.push(...parser.push(bytes.subarray(start, start + size)));
  return events;
}

function expectEvents(stream: string | Buffer, expected: unknown[]): void {
  const length = typeof stream === 'string' ? Buffer.byteLength(stream) : stream.length;
  for (const size of [1, 2, 3, 4, 7, 64, length + 1]) expect(parse(stream, size), `chunks of ${size}`).toEqual(expected);
}

describe('ServerSentEventParser', () => {
  it('reads data lines with LF, CRLF and CR line ends, with or without the space after the colon', () => {
    const expected = [{ data: '{"a":1}' }, { data: 'two' }, { data: ' three' }];
    expectEvents('data: {"a":1}\n\ndata:two\n\ndata:  three\n\n', expected);
    expectEvents('data: {"a":1}\r\n\r\ndata:two\r\n\r\ndata:  three\r\n\r\n', expected);
    expectEvents('data: {"a":1}\r\rdata:two\r\rdata:  three\r\r', expected);
  });

  it('joins the data lines of one event with LF, and reads event and id fields', () => {
    expectEvents('event: image\nid: 7\ndata: line one\ndata\ndata:line three\n\n', [
      { event: 'image', id: '7', data: 'line one\n\nline three' },
    ]);
  });

  it('skips comments, unknown fields and retry, and events without data', () => {
    expectEvents(': keep-alive\n\nretry: 10\nfoo: bar\ndatum: x\ndata: kept\n\nevent: lonely\n\n', [{ data: 'kept' }]);
  });

  it('drops a leading byte-order mark, ignores an id with a NUL, and decodes UTF-8 split across chunks', () => {
    expectEvents('\ufeffdata: café 😀\nid: a\u0000b\n\n', [{ data: 'café 😀' }]);
    expectEvents('data: \ufeffkept inside\n\n', [{ data: '\ufeffkept inside' }]);
  });

  it('drops an event the stream cut off before its blank line', () => {
    expectEvents('data: whole\n\ndata: cut off', [{ data: 'whole' }]);
    expectEvents('data: whole\n\ndata: cut off\n', [{ data: 'whole' }]);
  });

  it('hands a long data line to the collector in pieces, never as one string', () => {
    const line = 'A'.repeat(1_000_000);
    const pushes: number[] = [];
    const collector = (): EventDataCollector<number> => {
      let total = 0;
      return {
        push: (bytes) => {
          pushes.push(bytes.length);
          total += bytes.length;
        },
        finish: () => total,
      };
    };
    const parser = new ServerSentEventParser(collector);
    const stream = Buffer.from(`data: ${line}\n\n`);
    const events = [];
    for (let start = 0; start < stream.length; start += 65536) events.push(...parser.push(stream.subarray(start, start + 65536)));
    expect(events).toEqual([{ data: line.length }]);
    expect(Math.max(...pushes)).toBeLessThanOrEqual(65536);
  });
});

describe('readServerSentEvents', () => {
  const origin = { provider: 'relay', url: 'http://127.0.0.1:1/v1/chat/completions' };
  const bodyOf = async (parts: string[]): Promise<UpstreamResponse> => ({
    status: 200,
    statusText: 'OK',
    ok: true,
    headers: new Headers({ 'content-type': 'text/event-stream' }),
    cancel: () => {},
    chunks: () => chunksOf(parts),
    text: async () => parts.join(''),
    arrayBuffer: async () => new ArrayBuffer(0),
  });
  async function* chunksOf(parts: string[]) {
    for (const part of parts) yield new TextEncoder().encode(part);
  }

  it('yields the events of a body', async () => {
    const events = [];
    for await (const event of readServerSentEvents(
      await bodyOf(['data: 1\n', '\ndata: [DONE]\n\n']),
      new AbortController().signal,
      origin,
    )) {
      events.push(event.data);
    }
    expect(events).toEqual(['1', '[DONE]']);
  });

  it('stops with the abort reason once the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('client left');
    const events = readServerSentEventsWith(await bodyOf(['data: 1\n\ndata: 2\n\n']), controller.signal, textCollector, origin);
    expect((await events.next()).value).toEqual({ data: '1' });
    controller.abort(reason);
    await expect(events.next()).rejects.toBe(reason);
  });
});
