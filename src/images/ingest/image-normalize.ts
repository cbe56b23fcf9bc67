import sharp from 'sharp';
import type { ImageFormat } from '../image-format.js';
import { decodeAsAccepted } from './image-decode-policy.js';

export interface JpegConversionOptions {
  /** The format sniffed from the bytes: it decides how strictly they decode (see image-decode-policy.ts). */
  format: ImageFormat;
  quality: number;
  /** Passed to sharp as a second guard behind the header check. */
  maxPixels: number;
  /** sharp's `timeout`, in whole seconds. */
  timeoutSeconds: number;
}

/**
 * Re-encodes an input as the JPEG that providers receive: EXIF orientation
 * applied, transparency flattened onto white (JPEG has no alpha; black would
 * be sharp's default), metadata stripped, first frame only for animations.
 * Runs in sharp's thread pool, off the event loop.
 *
 * Huffman tables are not optimised (sharp's default optimiseCoding): that
 * holds every DCT coefficient of the image (12 MB at 4 MP) until the end and
 * doubles the time, for a file 7 to 10% smaller that the provider decodes
 * anyway. Without it the encoder streams, strip by strip.
 *
 * @example
 * const jpeg = await convertToJpeg(pngBytes, { format: 'png', quality: 90, maxPixels: 40_000_000, timeoutSeconds: 10 });
 */
export function convertToJpeg(input: Buffer, options: JpegConversionOptions): Promise<Buffer> {
  return decodeAsAccepted(options.format, (failOn) =>
    sharp(input, { limitInputPixels: options.maxPixels, failOn })
      .rotate()
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: options.quality, optimiseCoding: false })
      .timeout({ seconds: options.timeoutSeconds })
      .toBuffer(),
  );
}

/** The side of the thumbnail the decode check renders; small enough for a JPEG to decode at 1/8 scale. */
const decodeCheckSide = 64;

/**
 * Checks that an input passed on as sent decodes from start to end, without
 * converting it: a truncated or corrupt file must not reach providers.
 * Decoding to a small thumbnail reads every byte of the file, so it fails
 * where a full decode fails, but JPEG and WebP decode at reduced scale and
 * PNG and GIF stream row by row: a few MB of memory instead of the full
 * pixels, and a fraction of the time of a full decode. Reduced scale skips
 * no data: libjpeg still decodes every block's coefficients and only the
 * inverse DCT is smaller, so it warns where a full decode warns.
 */
export async function checkDecodes(input: Buffer, format: ImageFormat, maxPixels: number, timeoutSeconds: number): Promise<void> {
  await decodeAsAccepted(format, (failOn) =>
    sharp(input, { limitInputPixels: maxPixels, failOn })
      .resize(decodeCheckSide, decodeCheckSide, { fit: 'inside', withoutEnlargement: true })
      .raw()
      .timeout({ seconds: timeoutSeconds })
      .toBuffer(),
  );
}
