import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { writeBodyPieces } from '../../adapters/adapter-node-body-pieces.js';
import { listen } from './adapter-test-helpers.js';

describe('writeBodyPieces', () => {
  it('writes text as UTF-8 and bytes as they are, whole, even when pieces are far bigger than a turn allows', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 5, 0x42);
    // A string whose 64 KiB slices would cut surrogate pairs if they were cut blindly.
    const emoji = 'x😀'.repeat(100_000);
    const pieces = ['{"a":"', big, '","b":"', emoji, '"}'];
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      writeBodyPieces(response, pieces);
    });
    const response = await fetch(await listen(server));
    const body = JSON.parse(await response.text());
    expect(body.a).toBe('B'.repeat(big.length));
    expect(body.b).toBe(emoji);
  });
});
