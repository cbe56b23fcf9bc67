import { acceptedFormatsText, imageError } from '../../errors/image-errors.js';
import type { LiftedString } from '../../lib/json/json-lifted-string.js';
import { type ImageFormat, sniffImageFormat } from '../image-format.js';
import { countJpegScans } from '../image-jpeg-scans.js';
import type { ImageOptions } from '../image-options.js';
import { readImageDimensions } from './image-dimensions.js';
import type { ImageReference } from './image-ingest-types.js';

/** An input whose bytes are loaded and whose header passed every check. */
export interface CheckedImage {
  reference: ImageReference;
  bytes: Buffer;
  format: ImageFormat;
  width: number;
  height: number;
  /** The client's base64 when it was canonical, reusable if the bytes go on unchanged. */
  canonicalBase64?: string | LiftedString;
}

type Limits = Pick<ImageOptions, 'maxImageBytes' | 'maxPixels' | 'maxJpegScans'>;

/**
 * Sniffs the real format and reads the size from the header, refusing
 * anything that is not PNG/JPEG/GIF/WebP or that claims more pixels than
 * allowed, all before a single pixel is decoded.
 *
 * @example
 * const checked = checkImageHeader(reference, bytes, options); // throws a 400 GatewayError
 */
export function checkImageHeader(reference: ImageReference, bytes: Buffer, limits: Limits): CheckedImage {
  const where = partName(reference);
  if (bytes.length === 0) throw imageError('invalid_image_data', reference.param, 'is empty');
  if (bytes.length > limits.maxImageBytes) {
    throw imageError(
      'IMAGE_TOO_LARGE',
      reference.param,
      `is ${bytes.length} bytes; the limit is ${limits.maxImageBytes} bytes (images.maxImageBytes)`,
    );
  }
  const sniffed = sniffImageFormat(bytes);
  if (!sniffed.format) {
    throw imageError(
      'unsupported_image_format',
      reference.param,
      `(${where}) is ${sniffed.description}; accepted formats are ${acceptedFormatsText}`,
    );
  }
  const dimensions = readImageDimensions(bytes, sniffed.format);
  if (!dimensions) {
    throw imageError(
      'unsupported_image_format',
      reference.param,
      `(${where}) is a truncated or corrupt ${sniffed.format.toUpperCase()}: its header cannot be read; accepted formats are ${acceptedFormatsText}`,
    );
  }
  const pixels = dimensions.width * dimensions.height;
  if (pixels > limits.maxPixels) {
    throw imageError(
      'IMAGE_TOO_MANY_PIXELS',
      reference.param,
      `is ${dimensions.width}×${dimensions.height} = ${pixels} pixels; the limit is ${limits.maxPixels} pixels (images.maxPixels)`,
    );
  }
  if (sniffed.format === 'jpeg') {
    const scans = countJpegScans(bytes, limits.maxJpegScans);
    if (scans > limits.maxJpegScans) {
      throw imageError(
        'IMAGE_TOO_MANY_SCANS',
        reference.param,
        `(${where}) is a progressive JPEG of more than ${limits.maxJpegScans} scans, which would take seconds to decode; the limit is ${limits.maxJpegScans} scans (images.maxJpegScans): re-save it as baseline or standard progressive`,
      );
    }
  }
  return { reference, bytes, format: sniffed.format, ...dimensions };
}

/** Throws when the images of one request add up to more than `maxTotalImageBytes`. */
export function checkTotalBytes(images: readonly CheckedImage[], maxTotalImageBytes: number): void {
  let total = 0;
  for (const image of images) {
    total += image.bytes.length;
    if (total > maxTotalImageBytes) {
      throw imageError(
        'IMAGE_TOO_LARGE',
        image.reference.param,
        `brings the request's images to ${total} bytes; the limit is ${maxTotalImageBytes} bytes per request (images.maxTotalImageBytes)`,
      );
    }
  }
}

/** Throws when the client sent more images than `maxImages`; images of earlier assistant turns do not count. */
export function checkImageCount(references: readonly ImageReference[], maxImages: number): void {
  const sent = references.filter((reference) => reference.origin === 'user');
  if (sent.length <= maxImages) return;
  const firstExcess = sent[maxImages]!;
  const error = imageError(
    'TOO_MANY_IMAGES',
    firstExcess.param,
    `is one too many: the request carries ${sent.length} images; the limit is ${maxImages} (images.maxImages)`,
  );
  throw error;
}

/** "message 2, part 1": the words a person reads, next to the machine-readable `param`. */
export function partName(reference: ImageReference): string {
  return `message ${reference.messageIndex}, part ${reference.partIndex}`;
}
