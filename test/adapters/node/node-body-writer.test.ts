import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { writeBodyPieces } from '../../../adapters/node/node-body-writer.js';
import { byteLengthOf } from '../../../src/lib/body-pieces.js';
import { listen } from '../adapter-test-helpers.js';

describe('writeBodyPieces', () => {
  it('writes text as UTF-8 and bytes as they are, whole, even when pieces are far bigger than a turn allows', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 5, 0x42);
    // A string whose 64 KiB slices would cut surrogate pairs if they were cut blindly.
    const emoji = 'x😀'.repeat(100_000);
    const pieces = ['{"a":"', big, '","b":"', emoji, '"}'];
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      writeBodyPieces(response, pieces, byteLengthOf(pieces), 60_000);
    });
    const response = await fetch(await listen(server));
    const body = JSON.parse(await response.text());
    expect(body.a).toBe('B'.repeat(big.length));
    expect(body.b).toBe(emoji);
  });

  it('writes at most about 256 KiB per turn of the event loop, even while the kernel takes every write at once', async () => {
    const body = Array.from({ length: 64 }, () => Buffer.alloc(64 * 1024, 0x43));
    let turn = 0;
    let running = true;
    const countTurns = () => {
      turn += 1;
      if (running) setImmediate(countTurns);
    };
    const bytesPerTurn = new Map<number, number>();
    const server = createServer((_request, response) => {
      const write = response.write.bind(response) as (chunk: string | Uint8Array) => boolean;
      response.write = ((chunk: string | Uint8Array) => {
        bytesPerTurn.set(turn, (bytesPerTurn.get(turn) ?? 0) + chunk.length);
        return write(chunk);
      }) as typeof response.write;
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      setImmediate(countTurns);
      writeBodyPieces(response, body, byteLengthOf(body), 60_000);
    });
    const response = await fetch(await listen(server));
    const received = Buffer.from(await response.arrayBuffer());
    running = false;
    expect(received.length).toBe(64 * 64 * 1024);
    // A turn's budget, plus what the check phase of the same turn may add.
    expect(Math.max(...bytesPerTurn.values())).toBeLessThanOrEqual(2 * 256 * 1024);
  });
});
