import { describe, expect, it } from 'vitest';
import { isAspectRatio, parseAspectRatio, parseImageSize } from '../../src/images/image-geometry.js';

describe('size and aspect ratio bounds', () => {
  it.each([
    ['16x16', { width: 16, height: 16 }],
    ['4096x4096', { width: 4096, height: 4096 }],
    ['1536x1024', { width: 1536, height: 1024 }],
    ['15x16', undefined],
    ['4097x1024', undefined],
    ['00x00', undefined],
    ['99999x99999', undefined],
    ['auto', undefined],
    ['1024X1024', undefined],
  ])('size %s reads as %j', (size, expected) => {
    expect(parseImageSize(size)).toEqual(expected);
  });

  it.each([
    ['16:9', true],
    ['21:9', true],
    ['16:1', true],
    ['1:16', true],
    ['99:99', true],
    ['17:1', false],
    ['1:17', false],
    ['0:0', false],
    ['1:0', false],
    ['0:5', false],
    ['100:1', false],
    ['16/9', false],
  ])('aspect ratio %s is accepted: %s', (ratio, expected) => {
    expect(isAspectRatio(ratio)).toBe(expected);
  });
});

describe('parseAspectRatio, the written form', () => {
  it.each([
    ['16:9', 16 / 9],
    ['1.91:1', 1.91],
    ['4x3', 4 / 3],
    ['square', 1],
    ['0:1', undefined],
    ['100:1', undefined],
    ['banana', undefined],
  ])('%s', (text, expected) => {
    expect(parseAspectRatio(text)).toBe(expected);
  });
});
