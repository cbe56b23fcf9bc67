import sharp from 'sharp';

export interface JpegConversionOptions {
  quality: number;
  /** Passed to sharp as a second guard behind the header check. */
  maxPixels: number;
}

/**
 * Re-encodes an input as the JPEG that providers receive: EXIF orientation
 * applied, transparency flattened onto white (JPEG has no alpha; black would
 * be sharp's default), metadata stripped, first frame only for animations.
 * Runs in sharp's thread pool, off the event loop.
 *
 * @example
 * const jpeg = await convertToJpeg(pngBytes, { quality: 90, maxPixels: 40_000_000 });
 */
export function convertToJpeg(input: Buffer, options: JpegConversionOptions): Promise<Buffer> {
  return sharp(input, { limitInputPixels: options.maxPixels, failOn: 'error' })
    .rotate()
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: options.quality })
    .toBuffer();
}

/**
 * Checks that a kept-as-sent input decodes at all, without converting it;
 * `convertToJpeg: false` must not pass truncated files on to providers.
 */
export async function checkDecodes(input: Buffer, maxPixels: number): Promise<void> {
  await sharp(input, { limitInputPixels: maxPixels, failOn: 'error' }).stats();
}
