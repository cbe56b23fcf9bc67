import type { ImageFormat } from '../image-format.js';

export interface ImageDimensions {
  width: number;
  height: number;
}

/**
 * Reads width and height from the file header alone, so a decompression bomb
 * (a few KB claiming 30000×30000) is refused before anything allocates its
 * pixels. Returns undefined when the header is truncated or malformed.
 *
 * @example
 * readImageDimensions(pngBytes, 'png'); // { width: 640, height: 480 }
 */
export function readImageDimensions(bytes: Buffer, format: ImageFormat): ImageDimensions | undefined {
  switch (format) {
    case 'png':
      return readPng(bytes);
    case 'gif':
      return bytes.length >= 10 ? valid(bytes.readUInt16LE(6), bytes.readUInt16LE(8)) : undefined;
    case 'webp':
      return readWebp(bytes);
    case 'jpeg':
      return readJpeg(bytes);
  }
}

function readPng(bytes: Buffer): ImageDimensions | undefined {
  if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return valid(bytes.readUInt32BE(16), bytes.readUInt32BE(20));
}

function readWebp(bytes: Buffer): ImageDimensions | undefined {
  if (bytes.length < 30) return undefined;
  const chunk = bytes.toString('latin1', 12, 16);
  const data = 20;
  if (chunk === 'VP8X') {
    return valid(bytes.readUIntLE(data + 4, 3) + 1, bytes.readUIntLE(data + 7, 3) + 1);
  }
  if (chunk === 'VP8L') {
    if (bytes[data] !== 0x2f) return undefined;
    const bits = bytes.readUInt32LE(data + 1);
    return valid((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8 ') {
    if (bytes[data + 3] !== 0x9d || bytes[data + 4] !== 0x01 || bytes[data + 5] !== 0x2a) return undefined;
    return valid(bytes.readUInt16LE(data + 6) & 0x3fff, bytes.readUInt16LE(data + 8) & 0x3fff);
  }
  return undefined;
}

/** Walks the marker segments up to the first start-of-frame, which holds the size. */
function readJpeg(bytes: Buffer): ImageDimensions | undefined {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) {
      if (offset + 9 > bytes.length) return undefined;
      return valid(bytes.readUInt16BE(offset + 7), bytes.readUInt16BE(offset + 5));
    }
    if (marker === 0xd9 || marker === 0xda || length < 2) return undefined;
    offset += 2 + length;
  }
  return undefined;
}

function valid(width: number, height: number): ImageDimensions | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}
