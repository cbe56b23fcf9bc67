import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ByteSink } from '../../src/server/answer.js';
import { createSseAnswer, type SseWriter } from '../../src/server/event-stream.js';

/** A sink that records what it was given, as text. */
function recordingSink(): ByteSink & { text: () => string; closed: boolean } {
  const chunks: Uint8Array[] = [];
  const sink = {
    closed: false,
    write: (chunk: Uint8Array) => {
      chunks.push(chunk);
    },
    close: () => {
      sink.closed = true;
    },
    ready: () => true,
    onReady: () => {},
    text: () => Buffer.concat(chunks).toString('latin1'),
  };
  return sink;
}

/** Starts an event stream whose `run` waits until the test finishes it. */
function openStream(heartbeatIntervalMs: number) {
  const sink = recordingSink();
  let writer: SseWriter | undefined;
  let finish: () => void = () => {};
  const onCancel = vi.fn();
  const answer = createSseAnswer({
    heartbeatIntervalMs,
    onCancel,
    run: (events) => {
      writer = events;
      return new Promise<void>((resolve) => {
        finish = () => {
          events.finish();
          resolve();
        };
      });
    },
  });
  const cancel = answer.stream?.(sink);
  return { answer, sink, onCancel, cancel, finish: () => finish(), writer: () => writer };
}

const beats = (text: string) => text.split(': keep-alive\n\n').length - 1;

describe('event streams', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('beats once per interval for each stream, whatever other intervals run beside it', async () => {
    const fast = openStream(100);
    const slow = openStream(1_000);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(beats(fast.sink.text())).toBe(30);
    expect(beats(slow.sink.text())).toBe(3);
    fast.finish();
    slow.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(fast.sink.text().endsWith('data: [DONE]\n\n')).toBe(true);
    expect(fast.sink.closed && slow.sink.closed).toBe(true);
    // With no stream left, no clock keeps a timer.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the beat for a stream that joins late, and stops beating a cancelled one', async () => {
    const first = openStream(200);
    await vi.advanceTimersByTimeAsync(130);
    const second = openStream(200);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(beats(first.sink.text())).toBe(5);
    expect(beats(second.sink.text())).toBe(5);
    second.cancel?.(new DOMException('gone', 'AbortError'));
    expect(second.onCancel).toHaveBeenCalledTimes(1);
    const before = second.sink.text();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(second.sink.text()).toBe(before);
    expect(beats(first.sink.text())).toBe(10);
    first.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('writes a big image data line whole before any later heartbeat, waiting for a slow reader', async () => {
    const sink = recordingSink();
    let readerReady = false;
    let wake: () => void = () => {};
    sink.ready = () => readerReady;
    sink.onReady = (callback) => {
      wake = callback;
    };
    let writer: SseWriter | undefined;
    let finish: () => void = () => {};
    const answer = createSseAnswer({
      heartbeatIntervalMs: 50,
      onCancel: () => {},
      run: (events) => {
        writer = events;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    });
    answer.stream?.(sink);
    const image = Buffer.alloc(1_000_000, 'A');
    writer?.dataWithPayload('{"url":"@@"}', '@@', ['data:image/png;base64,', image]);
    await vi.advanceTimersByTimeAsync(500);
    // Nothing of the image went out while the reader was full; heartbeats wait behind it.
    expect(sink.text()).not.toContain('AAAA');
    readerReady = true;
    wake();
    await vi.advanceTimersByTimeAsync(500);
    writer?.finish();
    finish();
    await vi.advanceTimersByTimeAsync(100);
    const text = sink.text();
    const line = text.indexOf('data: {"url":"data:image/png;base64,');
    const lineEnd = text.indexOf('"}\n\n', line);
    expect(line).toBeGreaterThanOrEqual(0);
    expect(lineEnd - line).toBe('data: {"url":"data:image/png;base64,'.length + image.length);
    expect(text.slice(line, lineEnd)).not.toContain('keep-alive');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(sink.closed).toBe(true);
  });
});
