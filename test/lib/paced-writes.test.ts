import { describe, expect, it } from 'vitest';
import type { Piece } from '../../src/lib/body-pieces.js';
import { createPacedWrites } from '../../src/lib/paced-writes.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const text = (chunks: Piece[]) =>
  Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk))).toString('latin1');

describe('createPacedWrites', () => {
  it('passes small writes straight through while nothing waits', () => {
    const written: Piece[] = [];
    const paced = createPacedWrites((bytes) => written.push(bytes));
    paced.write(Buffer.from('a'));
    paced.write(Buffer.from('b'));
    expect(text(written)).toBe('ab');
  });

  it('spreads a big write over turns, keeping later writes and callbacks after it', async () => {
    const written: Piece[] = [];
    const paced = createPacedWrites((bytes) => written.push(bytes), { bytesPerTurn: 1000 });
    const big = Buffer.alloc(5000, 0x41);
    paced.writeSpread([Buffer.from('data: '), big, Buffer.from('\n\n')]);
    paced.write(Buffer.from(': keep-alive\n\n'));
    let closed = false;
    paced.afterPending(() => {
      closed = true;
    });
    const firstTurn = text(written).length;
    expect(firstTurn).toBeLessThan(2000);
    expect(closed).toBe(false);
    for (let turn = 0; turn < 10 && !closed; turn++) await nextTurn();
    expect(closed).toBe(true);
    expect(text(written)).toBe(`data: ${'A'.repeat(5000)}\n\n: keep-alive\n\n`);
    expect(written.every((chunk) => chunk.length <= 64 * 1024)).toBe(true);
  });

  it('hands paced bytes on only while the reader wants more, and goes on when it asks again', async () => {
    const written: Piece[] = [];
    let wanted = 2;
    const paced = createPacedWrites(
      (bytes) => {
        written.push(bytes);
        wanted -= 1;
      },
      { bytesPerTurn: 1_000_000, ready: () => wanted > 0 },
    );
    paced.writeSpread([Buffer.alloc(64 * 1024 * 5, 0x41)]);
    await nextTurn();
    expect(written).toHaveLength(2);
    wanted = 1;
    paced.resume();
    expect(written).toHaveLength(3);
    wanted = 10;
    paced.resume();
    expect(text(written)).toBe('A'.repeat(64 * 1024 * 5));
  });

  it('drops what waits once cleared', async () => {
    const written: Piece[] = [];
    const paced = createPacedWrites((bytes) => written.push(bytes), { bytesPerTurn: 10 });
    paced.writeSpread([Buffer.alloc(100)]);
    paced.clear();
    await nextTurn();
    await nextTurn();
    expect(text(written).length).toBeLessThan(100);
  });
});
