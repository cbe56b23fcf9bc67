import { describe, expect, it } from 'vitest';
import { splitPieces } from '../../../src/surfaces/chat-completions/split-pieces.js';
import { parseByteRange } from '../../../src/surfaces/files/byte-range.js';
import { parseImageFileName } from '../../../src/surfaces/shared/image-file-links.js';

describe('parseByteRange', () => {
  it('reads one range, an open end and a suffix', () => {
    expect(parseByteRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseByteRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseByteRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseByteRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseByteRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
  });

  it('says unsatisfiable for a start past the end or an empty suffix', () => {
    expect(parseByteRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=-0', 1000)).toBe('unsatisfiable');
  });

  it('ignores what it does not serve: no header, other units, several ranges, reversed or garbled ones', () => {
    for (const header of [null, '', 'items=0-1', 'bytes=0-1,5-6', 'bytes=5-3', 'bytes=-', 'bytes=a-b']) {
      expect(parseByteRange(header, 1000), String(header)).toBeUndefined();
    }
  });
});

describe('parseImageFileName', () => {
  it('takes an id with or without a known extension, and nothing else', () => {
    const id = `img_${'ab'.repeat(16)}`;
    expect(parseImageFileName(id)).toBe(id);
    expect(parseImageFileName(`${id}.png`)).toBe(id);
    for (const name of [`${id}.exe`, `${id}.png.png`, `${id}0`, 'img_ABCDEF', '../etc/passwd', `${id}/x`]) {
      expect(parseImageFileName(name), name).toBeUndefined();
    }
  });
});

describe('splitPieces', () => {
  const join = (runs: (string | Uint8Array)[][]) =>
    runs.map((run) => run.map((piece) => (typeof piece === 'string' ? piece : Buffer.from(piece).toString('latin1'))).join(''));

  it('cuts strings and bytes into runs of at most the bound, losing nothing', () => {
    const runs = join(splitPieces(['data:image/png;base64,', Buffer.from('A'.repeat(95)), 'BBBB'], 40));
    expect(runs.every((run) => run.length <= 40)).toBe(true);
    expect(runs.join('')).toBe(`data:image/png;base64,${'A'.repeat(95)}BBBB`);
  });

  it('never ends a run inside a JSON escape, so each run is valid JSON string content', () => {
    const text = `${'x'.repeat(8)}\\/${'y'.repeat(6)}\\u002f${'z'.repeat(5)}\\\\/`;
    for (let bound = 7; bound <= 12; bound++) {
      const runs = join(splitPieces([Buffer.from(text)], bound));
      expect(runs.join('')).toBe(text);
      for (const run of runs) expect(() => JSON.parse(`"${run}"`), `${bound}: ${run}`).not.toThrow();
    }
  });
});
