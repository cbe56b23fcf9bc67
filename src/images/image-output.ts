import sharp from 'sharp';
import type { z } from 'zod';
import { type ConversionQueue, conversionConcurrency, createConversionQueue } from './image-conversion-queue.js';
import { ImageData } from './image-data.js';
import { type ImageFormat, mediaTypeOf, sniffImageFormat } from './image-format.js';
import { countJpegScans } from './image-jpeg-scans.js';
import { conversionTimeoutSeconds, type ImageOptions, imageOptionsSchema } from './image-options.js';
import { readImageDimensions } from './ingest/image-dimensions.js';

/** Re-encodes one provider image on its way to the client. */
export type ImageOutputEncoder = (image: ImageData, signal: AbortSignal) => Promise<ImageData>;

/**
 * Builds the output stage for `images.outputFormat`. With `'original'` (the
 * default) it returns the image untouched without decoding its base64. An
 * image already in the target format is passed through with its media type
 * corrected from its bytes; bytes that are no recognised image, or that fail to
 * decode, are passed through as they are, since refusing a paid-for generation helps no one.
 *
 * An upstream image is held to the input limits before sharp sees it: over
 * `maxPixels` (read from its header) or, for a JPEG, over `maxJpegScans`,
 * it is passed through unconverted rather than decoded (a relay's
 * 16000×16000 PNG cost 2.5 s and 1.57 GB under sharp's default limit);
 * sharp also gets `limitInputPixels` and the conversion timeout.
 *
 * @example
 * const encode = createImageOutputEncoder({ outputFormat: 'webp' });
 * const webp = await encode(ImageData.fromBase64(b64, 'image/png'), signal);
 */
export function createImageOutputEncoder(
  options: z.input<typeof imageOptionsSchema> = {},
  conversionQueue?: ConversionQueue,
): ImageOutputEncoder {
  const settings = imageOptionsSchema.parse(options);
  const target = settings.outputFormat;
  if (target === 'original') return (image) => Promise.resolve(image);
  const queue =
    conversionQueue ?? createConversionQueue(conversionConcurrency(settings.maxConcurrentConversions), settings.maxQueuedConversions);
  const targetType = mediaTypeOf[target];

  return async (image, signal) => {
    signal.throwIfAborted();
    const bytes = image.bytes();
    const sniffed = sniffImageFormat(bytes);
    if (!sniffed.format) return image;
    if (sniffed.format === target) return image.mediaType === targetType ? image : ImageData.fromBytes(bytes, targetType);
    if (tooCostlyToDecode(bytes, sniffed.format, settings)) return image;
    try {
      const encoded = await queue.run(() => encode(bytes, target, settings), signal);
      return ImageData.fromBytes(encoded, targetType);
    } catch {
      if (signal.aborted) throw signal.reason;
      return image;
    }
  };
}

function tooCostlyToDecode(bytes: Buffer, format: ImageFormat, settings: ImageOptions): boolean {
  const dimensions = readImageDimensions(bytes, format);
  if (!dimensions || dimensions.width * dimensions.height > settings.maxPixels) return true;
  return format === 'jpeg' && countJpegScans(bytes, settings.maxJpegScans) > settings.maxJpegScans;
}

function encode(bytes: Buffer, target: 'jpeg' | 'png' | 'webp', settings: ImageOptions): Promise<Buffer> {
  const quality = settings.jpegQuality;
  const pipeline = sharp(bytes, { failOn: 'error', limitInputPixels: settings.maxPixels }).timeout({
    seconds: conversionTimeoutSeconds(settings),
  });
  if (target === 'jpeg') return pipeline.flatten({ background: '#ffffff' }).jpeg({ quality }).toBuffer();
  if (target === 'webp') return pipeline.webp({ quality }).toBuffer();
  return pipeline.png().toBuffer();
}
