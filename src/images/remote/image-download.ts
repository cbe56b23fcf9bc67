import { ImageFetchRefusal } from '../../errors/image-errors.js';
import { ImageData } from '../image-data.js';
import { mediaTypeOf, sniffImageFormat } from '../image-format.js';
import { countJpegScans } from '../image-jpeg-scans.js';
import type { ImageOptions } from '../image-options.js';
import { readImageDimensions } from '../ingest/image-dimensions.js';
import { type ImageIngestDependencies, remoteFetchRules } from '../ingest/image-ingest.js';
import { fetchRemoteImage } from './image-remote-fetch.js';

/** Downloads one image URL, or rejects with a message that says why it will not. */
export type ImageDownloader = (url: string, signal: AbortSignal) => Promise<ImageData>;

/**
 * Downloads image URLs that came out of a model's answer (a relay's markdown
 * `![](https://…)` or `images[]` entry) under the same SSRF rules as client
 * URLs: a prompt can talk a model into printing an internal address, and the
 * gateway must not fetch it and hand the bytes back.
 *
 * What arrives must be a PNG, JPEG, GIF or WebP by its bytes, within the
 * input limits (`maxPixels` from its header, `maxJpegScans`): an upstream
 * cannot hand clients an SVG, nor the gateway a picture too costly to decode.
 *
 * @example
 * const download = createGuardedImageDownloader(imageOptionsSchema.parse({}));
 * const image = await download('https://cdn.example.com/out.png', signal);
 */
export function createGuardedImageDownloader(
  options: ImageOptions,
  dependencies: Pick<ImageIngestDependencies, 'resolveHost' | 'connect' | 'fetchSlots'> = {},
): ImageDownloader {
  // Output URLs are fetched whatever allowRemoteUrls says about client input; the address rules still apply.
  const rules = remoteFetchRules(options, dependencies, true);
  return async (url, signal) => {
    const bytes = await fetchRemoteImage(url, rules, signal);
    const sniffed = sniffImageFormat(bytes);
    if (!sniffed.format) {
      throw new ImageFetchRefusal('IMAGE_FETCH_FAILED', `the bytes are ${sniffed.description}, not a PNG, JPEG, GIF or WebP image`);
    }
    const dimensions = readImageDimensions(bytes, sniffed.format);
    if (!dimensions) throw new ImageFetchRefusal('IMAGE_FETCH_FAILED', `its ${sniffed.format.toUpperCase()} header cannot be read`);
    const pixels = dimensions.width * dimensions.height;
    if (pixels > options.maxPixels) {
      throw new ImageFetchRefusal(
        'IMAGE_FETCH_FAILED',
        `it is ${dimensions.width}×${dimensions.height} = ${pixels} pixels; the limit is ${options.maxPixels} (images.maxPixels)`,
      );
    }
    if (sniffed.format === 'jpeg' && countJpegScans(bytes, options.maxJpegScans) > options.maxJpegScans) {
      throw new ImageFetchRefusal('IMAGE_FETCH_FAILED', `it is a JPEG of more than ${options.maxJpegScans} scans (images.maxJpegScans)`);
    }
    return ImageData.fromBytes(bytes, mediaTypeOf[sniffed.format]);
  };
}
