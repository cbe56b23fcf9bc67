import { describe, expect, it } from 'vitest';
import { JsonLiftingReader, type JsonPath } from '../../../src/lib/json/json-lifting-reader.js';
import { jsonPieceEnd } from '../../../src/lib/json/json-piece-end.js';

const isContent = (path: JsonPath) => path.length === 3 && path[0] === 'messages' && path[2] === 'content';

/** Reads `body` cut into pieces by `cut` and returns the bytes the reader counted as image data. */
function countedImageBytes(body: Buffer, cut: (start: number) => number): number {
  const reader = new JsonLiftingReader({ liftAt: () => false, countPayloadsAt: isContent, holdBytes: 0 });
  for (let start = 0; start < body.length; ) {
    const end = cut(start);
    reader.push(body.subarray(start, end));
    start = end;
  }
  return reader.liftableBytes();
}

describe('jsonPieceEnd', () => {
  const payload = 'iVBORw0KGgo'.repeat(2000);
  /** A message whose text holds a markdown image (as the gateway's own answer, sent back) after `before` characters. */
  const bodyWith = (before: number) =>
    Buffer.from(`{"messages":[{"role":"user","content":"${'x'.repeat(before)} ![image](data:image/png;base64,${payload}) done"}]}`);

  it('never cuts inside a data:image header, wherever it falls: the payload counts as image data in every case', () => {
    const pieceBytes = 256;
    for (let before = 0; before < 2 * pieceBytes; before++) {
      const body = bodyWith(before);
      expect(
        countedImageBytes(body, (start) => jsonPieceEnd(body, start, pieceBytes)),
        `after ${before}`,
      ).toBe(payload.length);
      expect(
        countedImageBytes(body, (start) => jsonPieceEnd(body, start, pieceBytes, 4 * pieceBytes)),
        `long pieces, after ${before}`,
      ).toBe(payload.length);
    }
    // Cut every pieceBytes whatever lies there, the header is split for some offsets and the payload counts as text.
    const missed = Array.from({ length: 2 * pieceBytes }, (_, before) => bodyWith(before)).filter(
      (body) => countedImageBytes(body, (start) => Math.min(body.length, start + pieceBytes)) !== payload.length,
    );
    expect(missed.length).toBeGreaterThan(0);
  });

  it('cuts just after a quote in the second half of a piece, else at the size, and keeps pieces whole at the end', () => {
    const text = Buffer.from(`{"a":"${'x'.repeat(40)}","b":"${'y'.repeat(100)}"}`);
    const end = jsonPieceEnd(text, 0, 64);
    expect(text[end - 1]).toBe(0x22);
    expect(end).toBeGreaterThan(32);
    expect(end).toBeLessThanOrEqual(64);
    expect(jsonPieceEnd(text, 60, 64)).toBe(60 + 64);
    expect(jsonPieceEnd(text, 100, 64)).toBe(text.length);
  });

  it('runs a piece inside a long plain string (base64) up to its next quote, escape or comma, within the long size', () => {
    const base64 = 'QUJD'.repeat(10_000);
    const text = Buffer.from(`{"url":"data:image/png;base64,${base64}","n":[1,2,3]}`);
    const start = 100;
    const end = jsonPieceEnd(text, start, 256, 8192);
    expect(end).toBe(start + 8192);
    const nearEnd = text.indexOf('"', 40_000);
    expect(jsonPieceEnd(text, nearEnd - 1000, 256, 8192)).toBe(nearEnd);
    // Structure, numbers and commas included, stays in short pieces: its reading is what runs slowly when cold.
    const numbers = Buffer.from(`[${'1,'.repeat(5000)}1]`);
    expect(jsonPieceEnd(numbers, 0, 256, 8192)).toBe(256);
  });

  it('ends each piece after at most the size plus a few markers, even in text of semicolons', () => {
    const text = Buffer.from(`"${';'.repeat(10_000)}"`);
    for (let start = 0; start < text.length; ) {
      const end = jsonPieceEnd(text, start, 256);
      expect(end).toBeGreaterThan(start);
      expect(end - start).toBeLessThanOrEqual(256 + 4 * 72);
      start = end;
    }
  });
});
