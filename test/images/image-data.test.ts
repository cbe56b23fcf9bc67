import { describe, expect, it } from 'vitest';
import { ImageData } from '../../src/images/image-data.js';

describe('ImageData held as received base64 pieces', () => {
  const bytes = Buffer.from(Array.from({ length: 1001 }, (_, index) => (index * 7) % 256));
  const base64 = bytes.toString('base64');
  const pieces = [base64.slice(0, 5), base64.slice(5, 1334), base64.slice(1334)].map((text) => Buffer.from(text, 'latin1'));

  it('decodes, serialises and measures like the same image made from its base64 string', () => {
    const image = ImageData.fromBase64Pieces(pieces, 'image/png');
    expect(image.byteLength).toBe(bytes.length);
    expect(image.base64()).toBe(base64);
    expect(image.bytes().equals(bytes)).toBe(true);
    expect(image.dataUrl()).toBe(`data:image/png;base64,${base64}`);
  });

  it('hands out the pieces themselves for writing, a string for a base64 string, and ASCII bytes for bytes', () => {
    expect(ImageData.fromBase64Pieces(pieces, 'image/png').base64Parts()).toEqual(pieces);
    expect(ImageData.fromBase64Pieces(pieces, 'image/png').base64Parts()[1]).toBe(pieces[1]);
    expect(ImageData.fromBase64(base64, 'image/png').base64Parts()).toEqual([base64]);
    const fromBytes = ImageData.fromBytes(bytes, 'image/png');
    const [encoded] = fromBytes.base64Parts();
    expect(Buffer.isBuffer(encoded) && encoded.toString('latin1')).toBe(base64);
    expect(fromBytes.byteLength).toBe(bytes.length);
  });

  it('counts padding that sits in the last pieces', () => {
    for (const length of [1, 2, 3, 4]) {
      const data = Buffer.alloc(length, 9).toString('base64');
      const split = [Buffer.from(data.slice(0, -1)), Buffer.from(data.slice(-1)), Buffer.alloc(0)];
      expect(ImageData.fromBase64Pieces(split, 'image/png').byteLength).toBe(length);
    }
  });
});
