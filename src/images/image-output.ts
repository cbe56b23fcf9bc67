import sharp from 'sharp';
import type { z } from 'zod';
import { type ConversionQueue, conversionConcurrency, createConversionQueue } from './image-conversion-queue.js';
import { ImageData } from './image-data.js';
import { mediaTypeOf, sniffImageFormat } from './image-format.js';
import { imageOptionsSchema } from './image-options.js';

/** Re-encodes one provider image on its way to the client. */
export type ImageOutputEncoder = (image: ImageData, signal: AbortSignal) => Promise<ImageData>;

/**
 * Builds the output stage for `images.outputFormat`. With `'original'` (the
 * default) it returns the image untouched without decoding its base64. An
 * image already in the target format is passed through with its media type
 * corrected from its bytes; bytes that are no recognised image, or that fail to
 * decode, are passed through as they are, since refusing a paid-for generation helps no one.
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
    try {
      const encoded = await queue.run(() => encode(bytes, target, settings.jpegQuality), signal);
      return ImageData.fromBytes(encoded, targetType);
    } catch {
      if (signal.aborted) throw signal.reason;
      return image;
    }
  };
}

function encode(bytes: Buffer, target: 'jpeg' | 'png' | 'webp', quality: number): Promise<Buffer> {
  const pipeline = sharp(bytes, { failOn: 'error' });
  if (target === 'jpeg') return pipeline.flatten({ background: '#ffffff' }).jpeg({ quality }).toBuffer();
  if (target === 'webp') return pipeline.webp({ quality }).toBuffer();
  return pipeline.png().toBuffer();
}
