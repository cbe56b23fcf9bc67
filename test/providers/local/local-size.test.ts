import { describe, expect, it } from 'vitest';
import { clampSize, outputSize } from '../../../src/providers/local/local-size.js';

describe('outputSize', () => {
  it.each([
    [{}, { width: 1024, height: 1024 }],
    [{ aspectRatio: '16:9' }, { width: 1024, height: 576 }],
    [
      { aspectRatio: '3:4', imageSize: '4K' },
      { width: 3072, height: 4096 },
    ],
    [{ imageSize: '2k' }, { width: 2048, height: 2048 }],
    [{ imageSize: '8K' }, { width: 1024, height: 1024 }],
    [{ aspectRatio: 'wide' }, { width: 1024, height: 1024 }],
    [
      { size: { width: 300, height: 200 }, aspectRatio: '16:9' },
      { width: 304, height: 200 },
    ],
  ])('%j → %j', (request, expected) => {
    expect(outputSize(request)).toEqual(expected);
  });
});

describe('clampSize', () => {
  it('rounds to multiples of 8 within 16..4096', () => {
    expect(clampSize({ width: 1, height: 99_999 })).toEqual({ width: 16, height: 4096 });
    expect(clampSize({ width: 1003, height: 1005 })).toEqual({ width: 1000, height: 1008 });
  });
});
