import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bodyStreamOf } from '../../../src/providers/shared/node-body-stream.js';

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return chunks;
}

describe('bodyStreamOf', () => {
  it('hands on the Node chunks themselves, in order', async () => {
    const chunks = [Buffer.from('one'), Buffer.from('two'), Buffer.alloc(300_000, 7)];
    const read = await readAll(bodyStreamOf(Readable.from(chunks, { objectMode: false })));
    expect(read).toHaveLength(3);
    for (const [index, chunk] of read.entries()) expect(chunk).toBe(chunks[index]);
  });

  it('passes a broken connection on as the stream error', async () => {
    const source = new PassThrough();
    const reader = bodyStreamOf(source).getReader();
    source.write('partial');
    expect(Buffer.from((await reader.read()).value ?? []).toString()).toBe('partial');
    const failure = new Error('other side closed');
    source.destroy(failure);
    await expect(reader.read()).rejects.toBe(failure);
  });

  it('destroys the Node stream when the reader cancels', async () => {
    const source = new PassThrough();
    const reader = bodyStreamOf(source).getReader();
    await reader.cancel(new Error('client left'));
    expect(source.destroyed).toBe(true);
  });

  it('hands on at most about 256 KiB per turn of the event loop, the rest on later turns', async () => {
    const source = new PassThrough({ highWaterMark: 4 * 1024 * 1024 });
    for (let index = 0; index < 32; index++) source.write(Buffer.alloc(64 * 1024));
    source.end();
    let turn = 0;
    let running = true;
    const countTurns = () => {
      turn += 1;
      if (running) setImmediate(countTurns);
    };
    setImmediate(countTurns);
    const bytesPerTurn = new Map<number, number>();
    for await (const chunk of bodyStreamOf(source) as unknown as AsyncIterable<Uint8Array>) {
      bytesPerTurn.set(turn, (bytesPerTurn.get(turn) ?? 0) + chunk.length);
    }
    running = false;
    expect([...bytesPerTurn.values()].reduce((sum, bytes) => sum + bytes, 0)).toBe(2 * 1024 * 1024);
    expect(Math.max(...bytesPerTurn.values())).toBeLessThanOrEqual(256 * 1024 + 64 * 1024);
  });
});
