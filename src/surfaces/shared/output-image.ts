import type { ImageData } from '../../images/image-data.js';
import { sniffImageFormat } from '../../images/image-format.js';
import { readImageDimensions } from '../../images/ingest/image-dimensions.js';
import type { SurfaceContext } from '../surface-context.js';

/** The formats a client may ask its images in (`output_format`). */
export type OutputFormat = 'png' | 'jpeg' | 'webp';

/** What an answer says about an image it returns: its real format and size, read from its bytes. */
export interface OutputImageFacts {
  format: string;
  /** "WIDTHxHEIGHT", or undefined when the header cannot be read. */
  size?: string;
}

/**
 * The image in the format the client asked for: a provider that cannot
 * choose its format (Gemini, relays) still answers `output_format: "webp"`
 * with a WebP. Unasked, the image goes as it came.
 */
export function inOutputFormat(
  image: ImageData,
  format: OutputFormat | null | undefined,
  context: SurfaceContext,
  signal: AbortSignal,
): Promise<ImageData> {
  if (!format) return Promise.resolve(image);
  return context.encodeImageAs[format](image, signal);
}

/** The format and size of an image, from its header. */
export function outputImageFacts(image: ImageData): OutputImageFacts {
  const bytes = image.bytes();
  const format = sniffImageFormat(bytes).format;
  if (!format) return { format: image.mediaType.replace(/^image\//, '') };
  const dimensions = readImageDimensions(bytes, format);
  return { format, size: dimensions ? `${dimensions.width}x${dimensions.height}` : undefined };
}
