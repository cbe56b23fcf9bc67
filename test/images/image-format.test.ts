import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sniffImageFormat } from '../../src/images/image-format.js';
import { readImageDimensions } from '../../src/images/ingest/image-dimensions.js';
import { pngHeaderClaiming, twoToneImage } from './image-test-helpers.js';

describe('sniffImageFormat and readImageDimensions', () => {
  it.each(['png', 'jpeg', 'gif', 'webp'] as const)('recognises %s and reads its size from the header', async (format) => {
    const bytes = await twoToneImage(format, 123, 45);
    expect(sniffImageFormat(bytes)).toEqual({ format });
    expect(readImageDimensions(bytes, format)).toEqual({ width: 123, height: 45 });
  });

  it.each([
    [
      'lossless WebP (VP8L)',
      () =>
        sharp({ create: { width: 300, height: 7, channels: 3, background: 'red' } })
          .webp({ lossless: true })
          .toBuffer(),
    ],
    [
      'WebP with alpha (VP8X)',
      () =>
        sharp({ create: { width: 300, height: 7, channels: 4, background: '#f008' } })
          .webp()
          .toBuffer(),
    ],
    [
      'progressive JPEG',
      () =>
        sharp({ create: { width: 300, height: 7, channels: 3, background: 'red' } })
          .jpeg({ progressive: true })
          .toBuffer(),
    ],
  ])('reads the size of a %s', async (_name, make) => {
    const bytes = await make();
    const format = sniffImageFormat(bytes).format!;
    expect(readImageDimensions(bytes, format)).toEqual({ width: 300, height: 7 });
  });

  it('reads the claim of a decompression bomb without decoding it', () => {
    expect(readImageDimensions(pngHeaderClaiming(30_000, 30_000), 'png')).toEqual({ width: 30_000, height: 30_000 });
  });

  it.each([
    ['<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', 'SVG'],
    ['<html><body></body></html>', 'HTML'],
    ['%PDF-1.7', 'PDF'],
    ['hello world', 'not a recognised image'],
  ])('describes %j as %s', (text, description) => {
    expect(sniffImageFormat(Buffer.from(text))).toEqual({ format: undefined, description });
  });

  it('says a file cut inside its signature is truncated', () => {
    expect(sniffImageFormat(Buffer.from([0x89, 0x50, 0x4e]))).toEqual({ format: undefined, description: 'a truncated PNG' });
  });

  it('returns no size for a header cut short', async () => {
    const png = await twoToneImage('png');
    expect(readImageDimensions(png.subarray(0, 20), 'png')).toBeUndefined();
    const jpeg = await twoToneImage('jpeg');
    expect(readImageDimensions(jpeg.subarray(0, 30), 'jpeg')).toBeUndefined();
  });
});
