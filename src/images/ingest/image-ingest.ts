import type { z } from 'zod';
import { GatewayError } from '../../errors/gateway-error.js';
import { ImageFetchRefusal, imageError, undecodableImageError } from '../../errors/image-errors.js';
import { EventLoopTurns } from '../../lib/event-loop-turns.js';
import type { LiftedString } from '../../lib/json/json-lifted-string.js';
import { type ConversionQueue, conversionConcurrency, createConversionQueue } from '../image-conversion-queue.js';
import { ImageData } from '../image-data.js';
import { mediaTypeOf } from '../image-format.js';
import { conversionTimeoutSeconds, type ImageOptions, imageOptionsSchema } from '../image-options.js';
import { createAddressPolicy } from '../remote/image-address-policy.js';
import { ImageByteBudget } from '../remote/image-byte-budget.js';
import { FetchSlots } from '../remote/image-fetch-slots.js';
import { createPinnedConnector, systemResolver } from '../remote/image-pinned-connector.js';
import { fetchRemoteImage, type RemoteFetchRules } from '../remote/image-remote-fetch.js';
import type { HostResolver, RemoteConnector } from '../remote/image-remote-types.js';
import { whyJpegNeedsReencoding } from './image-clean-jpeg.js';
import { decodeDataUrl } from './image-data-url.js';
import { type CheckedImage, checkImageCount, checkImageHeader, checkTotalBytes, partName } from './image-ingest-checks.js';
import type { ImageIngester, ImageReference } from './image-ingest-types.js';
import { checkDecodes, convertToJpeg } from './image-normalize.js';

/** What tests and non-Node runtimes may swap. */
export interface ImageIngestDependencies {
  /** Resolves host names of remote URLs (default: `dns.lookup`). */
  resolveHost?: HostResolver;
  /** Opens a connection pinned to a checked address (default: undici). */
  connect?: RemoteConnector;
  /** Shares one conversion bound between the ingester and the output encoder. */
  conversionQueue?: ConversionQueue;
  /** Shares one bound on remote fetches between the ingester and the output downloader. */
  fetchSlots?: FetchSlots;
  /**
   * The bytes of an image the gateway hosts itself (URL delivery), read from
   * its store; undefined for any other URL, which is fetched as usual. A
   * client sending the gateway's own link back (the next turn of a chat)
   * then needs no fetch over the network, nor an SSRF exception for the
   * gateway's own, often private, address.
   */
  readHostedImage?: (url: string) => Promise<Uint8Array | undefined>;
}

export interface IngestCallOptions {
  /**
   * Overrides `convertToJpeg` for this call: `'original'` keeps the bytes as
   * sent (checked, never re-encoded), `'jpeg'` converts. For providers that
   * want PNG with transparency, or lossless edits.
   */
  format?: 'jpeg' | 'original';
}

/** The ingester, with the per-call format override. */
export interface ConfigurableImageIngester extends ImageIngester {
  ingest(references: readonly ImageReference[], signal: AbortSignal, callOptions?: IngestCallOptions): Promise<ImageData[]>;
}

/** The SSRF rules for remote image URLs, from the `images` options; shared with the output-side downloader. */
export function remoteFetchRules(
  settings: ImageOptions,
  dependencies: Pick<ImageIngestDependencies, 'resolveHost' | 'connect' | 'fetchSlots'> = {},
  allowRemoteUrls = settings.allowRemoteUrls,
): RemoteFetchRules {
  return {
    allowRemoteUrls,
    allowHttpUrls: settings.allowHttpUrls,
    allowRemotePorts: settings.allowRemotePorts,
    remoteTimeoutMs: settings.remoteTimeoutMs,
    maxImageBytes: settings.maxImageBytes,
    checkAddress: createAddressPolicy(settings.allowPrivateNetworks),
    slots: dependencies.fetchSlots ?? new FetchSlots(settings.maxConcurrentFetches),
    resolve: dependencies.resolveHost ?? systemResolver,
    connect: dependencies.connect ?? createPinnedConnector(),
  };
}

/**
 * Builds the image input stage: decodes data URLs, fetches remote URLs
 * through the SSRF guard, sniffs and limits every image, then normalises it
 * to JPEG (or keeps it as sent). A JPEG that conversion would not change
 * (see image-clean-jpeg.ts) is kept as sent too, once it proves to decode.
 * Results come back in reference order.
 *
 * @example
 * const ingester = createImageIngester({ maxImages: 5 });
 * const images = await ingester.ingest(plan.references, request.signal);
 */
export function createImageIngester(
  options: z.input<typeof imageOptionsSchema> = {},
  dependencies: ImageIngestDependencies = {},
): ConfigurableImageIngester {
  const settings = imageOptionsSchema.parse(options);
  const queue =
    dependencies.conversionQueue ??
    createConversionQueue(conversionConcurrency(settings.maxConcurrentConversions), settings.maxQueuedConversions);
  const remoteRules = remoteFetchRules(settings, dependencies);
  const timeoutSeconds = conversionTimeoutSeconds(settings);

  /** Shared by every request of this ingester: one image's synchronous step per turn of the event loop. */
  const turns = new EventLoopTurns();

  /**
   * Remote images are fetched all at once; data URLs decode one per turn of
   * the event loop, in order. A bad data URL still wins over a failed fetch,
   * as when they all decoded in the first turn.
   */
  async function loadAll(references: readonly ImageReference[], signal: AbortSignal): Promise<CheckedImage[]> {
    const budget = new ImageByteBudget(settings.maxTotalImageBytes);
    const fetches = references.map((reference) => (isDataUrl(reference.url) ? undefined : loadRemote(reference, signal, budget)));
    // Awaited below, after the data URLs; until then a rejection must not count as unhandled.
    for (const fetch of fetches) fetch?.catch(() => {});
    const decoded: (CheckedImage | undefined)[] = [];
    for (const [index, reference] of references.entries()) {
      if (fetches[index]) continue;
      await turns.next(signal);
      const image = loadDataUrl(reference);
      // Counted at once, so remote downloads still running stop when data URLs alone fill the request's total.
      if (!budget.take(image.bytes.length)) {
        const detail = `brings the request's images to ${budget.used} bytes; the limit is ${budget.limit} bytes per request (images.maxTotalImageBytes)`;
        throw imageError('IMAGE_TOO_LARGE', reference.param, detail);
      }
      decoded[index] = image;
    }
    return Promise.all(references.map((_reference, index) => decoded[index] ?? (fetches[index] as Promise<CheckedImage>)));
  }

  function loadDataUrl(reference: ImageReference): CheckedImage {
    const decoded = decodeDataUrl(reference.url, settings.maxImageBytes);
    if (!decoded.ok && decoded.tooLarge !== undefined) {
      const detail = `is ${decoded.tooLarge} bytes; the limit is ${settings.maxImageBytes} bytes (images.maxImageBytes)`;
      throw imageError('IMAGE_TOO_LARGE', reference.param, detail);
    }
    if (!decoded.ok) throw imageError('invalid_image_data', reference.param, `(${partName(reference)}) ${decoded.reason}`);
    const checked = checkImageHeader(reference, decoded.value.bytes, settings);
    return { ...checked, canonicalBase64: decoded.value.canonicalBase64 };
  }

  async function loadRemote(reference: ImageReference, signal: AbortSignal, budget: ImageByteBudget): Promise<CheckedImage> {
    // A URL is lifted only when it is 64 KiB of printable ASCII: as a remote URL, a rare sight, made a string.
    const url = typeof reference.url === 'string' ? reference.url : reference.url.toString();
    const hosted = await dependencies.readHostedImage?.(url);
    if (hosted) {
      const bytes = Buffer.from(hosted.buffer, hosted.byteOffset, hosted.byteLength);
      if (!budget.take(bytes.length)) {
        const detail = `brings the request's images to ${budget.used} bytes; the limit is ${budget.limit} bytes per request (images.maxTotalImageBytes)`;
        throw imageError('IMAGE_TOO_LARGE', reference.param, detail);
      }
      return checkImageHeader(reference, bytes, settings);
    }
    try {
      const bytes = await fetchRemoteImage(url, remoteRules, signal, budget);
      return checkImageHeader(reference, bytes, settings);
    } catch (error) {
      if (error instanceof ImageFetchRefusal) throw imageError(error.code, reference.param, error.detail, error);
      throw error;
    }
  }

  async function normalise(image: CheckedImage, format: 'jpeg' | 'original', signal: AbortSignal): Promise<ImageData> {
    try {
      // Walking the markers reads the whole file: a turn of its own, like each decode.
      if (format === 'jpeg' && image.format === 'jpeg') await turns.next(signal);
      const keepAsSent = format === 'original' || (image.format === 'jpeg' && whyJpegNeedsReencoding(image.bytes) === undefined);
      if (keepAsSent) {
        await queue.run(() => checkDecodes(image.bytes, image.format, settings.maxPixels, timeoutSeconds), signal);
        return passedOn(image).markSentAt(image.reference.param);
      }
      const converted = await queue.run(
        () =>
          convertToJpeg(image.bytes, {
            format: image.format,
            quality: settings.jpegQuality,
            maxPixels: settings.maxPixels,
            timeoutSeconds,
          }),
        signal,
        { holdsWholeFrame: image.format === 'webp' || image.format === 'gif' },
      );
      return ImageData.fromBytes(converted, 'image/jpeg').markSentAt(image.reference.param);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof GatewayError) throw error;
      if (isSharpTimeout(error)) {
        const detail = `(${partName(image.reference)}) took more than ${timeoutSeconds} s to decode; the limit is images.conversionTimeoutMs`;
        throw imageError('IMAGE_DECODE_TIMEOUT', image.reference.param, detail, error);
      }
      throw undecodableImageError(image.reference.param, partName(image.reference), image.format.toUpperCase(), error);
    }
  }

  /** The image as sent; the client's base64 when canonical, so the bytes need not be encoded again. */
  function passedOn(image: CheckedImage): ImageData {
    const mediaType = mediaTypeOf[image.format];
    const base64 = image.canonicalBase64;
    if (typeof base64 === 'string') return ImageData.fromBase64(base64, mediaType);
    if (base64 !== undefined) return ImageData.fromBase64Pieces(base64.pieces, mediaType);
    return ImageData.fromBytes(image.bytes, mediaType);
  }

  return {
    async ingest(references, signal, callOptions = {}) {
      signal.throwIfAborted();
      checkImageCount(references, settings.maxImages);
      if (references.length === 0) return [];
      const format = callOptions.format ?? (settings.convertToJpeg ? 'jpeg' : 'original');
      // One failure cancels the siblings' fetches and queued conversions.
      const siblings = new AbortController();
      const linked = AbortSignal.any([signal, siblings.signal]);
      try {
        const checked = await loadAll(references, linked);
        checkTotalBytes(checked, settings.maxTotalImageBytes);
        const normalised = checked.map((image) => normalise(image, format, linked));
        // Each input's decoded bytes can then go as soon as its own conversion ends, not when the last one does.
        checked.length = 0;
        return await Promise.all(normalised);
      } catch (error) {
        siblings.abort(error);
        if (signal.aborted) throw signal.reason;
        throw error;
      }
    },
  };
}

/** sharp rejects a pipeline that ran past its `timeout` with "timeout: N% complete". */
function isSharpTimeout(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('timeout:');
}

/** Whether a URL is a `data:` URL, by its scheme in any case. */
function isDataUrl(url: string | LiftedString): boolean {
  return (typeof url === 'string' ? url.slice(0, 5) : url.head(5)).toLowerCase() === 'data:';
}
