import { crc32 } from 'node:zlib';
import sharp, { type JpegOptions } from 'sharp';
import { GatewayError } from '../../src/errors/gateway-error.js';
import type { ImageReference } from '../../src/images/ingest/image-ingest-types.js';

/** A small image with a red left half and a blue right half, so orientation and colours can be checked. */
export async function twoToneImage(format: 'png' | 'jpeg' | 'gif' | 'webp', width = 64, height = 32, alpha = false): Promise<Buffer> {
  const half = Math.floor(width / 2);
  const channels = alpha ? 4 : 3;
  const background = alpha ? { r: 255, g: 0, b: 0, alpha: 1 } : { r: 255, g: 0, b: 0 };
  const blue = await sharp({ create: { width: width - half, height, channels, background: { r: 0, g: 0, b: 255, alpha: 1 } } })
    .png()
    .toBuffer();
  const pipeline = sharp({ create: { width, height, channels, background } }).composite([{ input: blue, left: half, top: 0 }]);
  return pipeline.toFormat(format).toBuffer();
}

/** An image that is fully transparent, to see it flattened onto white. */
export function transparentPng(width = 16, height = 16): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .png()
    .toBuffer();
}

/** A PNG that is only a signature and an IHDR claiming `width`×`height`: a decompression bomb's header. */
export function pngHeaderClaiming(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const type = Buffer.from('IHDR', 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(13);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(Buffer.concat([type, header])) >>> 0);
  const idat = Buffer.from([0, 0, 0, 0, 0x49, 0x44, 0x41, 0x54, 0x35, 0xaf, 0x06, 0x1e]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), length, type, header, checksum, idat]);
}

export function dataUrl(bytes: Buffer, mediaType = 'image/png'): string {
  return `data:${mediaType};base64,${bytes.toString('base64')}`;
}

export function userReference(url: string, partIndex = 0, messageIndex = 0): ImageReference {
  return { url, param: `messages[${messageIndex}].content[${partIndex}].image_url.url`, messageIndex, partIndex, origin: 'user' };
}

/** The RGB of one pixel of a decoded image. */
export async function pixelAt(bytes: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * info.channels;
  return [data[offset]!, data[offset + 1]!, data[offset + 2]!];
}

export const never = new AbortController().signal;

/** The GatewayError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!GatewayError.isInstance(error)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

/** A photo-like JPEG (noise) as sharp writes it: baseline, a bare JFIF header, no metadata. */
export function noisyJpeg(width: number, height: number, options: JpegOptions = {}): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .jpeg(options)
    .toBuffer();
}

/** The JPEG with one more segment (`marker`, `payload`) right after its SOI marker. */
export function jpegWithSegment(jpeg: Buffer, marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}

/**
 * The JPEG with its frame header rewritten to claim `width`×`height`. The
 * header check reads the claim; the scan data still holds the original
 * picture only, and runs out long before the claimed last row.
 */
export function jpegClaimingSize(jpeg: Buffer, width: number, height: number): Buffer {
  const claimed = Buffer.from(jpeg);
  let offset = 2;
  while (offset + 9 <= claimed.length && claimed[offset] === 0xff) {
    const marker = claimed[offset + 1]!;
    if (marker === 0xc0 || marker === 0xc2) {
      claimed.writeUInt16BE(height, offset + 5);
      claimed.writeUInt16BE(width, offset + 7);
      return claimed;
    }
    offset += 2 + claimed.readUInt16BE(offset + 2);
  }
  throw new Error('no baseline or progressive frame header before the scan');
}

/**
 * A progressive JPEG with a few stray bytes between two scans, as some phone
 * firmware writes: libjpeg warns ("N extraneous bytes before marker") but
 * decodes every block.
 */
export async function jpegWithStrayBytes(width: number, height: number): Promise<Buffer> {
  const jpeg = await noisyJpeg(width, height, { progressive: true });
  let offset = 2;
  while (jpeg[offset + 1] !== 0xda) offset += 2 + jpeg.readUInt16BE(offset + 2); // header segments, up to the first scan
  offset += 2 + jpeg.readUInt16BE(offset + 2);
  // The first marker in the entropy-coded data (0xFF not followed by a stuffed zero) ends the first scan.
  while (!(jpeg[offset] === 0xff && jpeg[offset + 1] !== 0x00)) offset += 1;
  // 16 bytes: the Huffman decoder reads up to a few past the scan's last block, and only the rest count as extraneous.
  return Buffer.concat([jpeg.subarray(0, offset), Buffer.alloc(16, 0x55), jpeg.subarray(offset)]);
}
