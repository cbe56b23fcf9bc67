import { isAbortError, UpstreamError } from '../../errors/upstream-error.js';
import { ImageData } from '../../images/image-data.js';
import type { CancelSignal } from '../../lib/cancel-signal.js';
import { upstreamHttpOf } from './provider-context.js';
import { fetchUpstream, redactUrl } from './upstream-fetch.js';
import { abortSignalOf, type UpstreamResponse } from './upstream-response.js';

/** Largest image we download from an upstream's URL; OpenAI's own outputs are a few MB. */
const maxDownloadBytes = 64 * 1024 * 1024;

export interface ImageDownloadOptions {
  provider: string;
  fetch: typeof globalThis.fetch;
  signal: CancelSignal;
  /** The gateway's SSRF-guarded downloader, for URLs a model wrote (relay answers). */
  downloadImage?: (url: string, signal: AbortSignal) => Promise<ImageData>;
}

/**
 * An image an upstream referenced by URL: `data:` URLs are wrapped without
 * decoding (the base64 stays lazy), `http(s):` URLs (dall-e results, relay
 * markdown) are downloaded at once because they expire.
 *
 * @example
 * const image = await imageFromUrl('data:image/png;base64,iVBOR...', { provider: 'openai', fetch, signal });
 */
export async function imageFromUrl(url: string, options: ImageDownloadOptions): Promise<ImageData> {
  if (url.startsWith('data:')) return imageFromDataUrl(url, options.provider);
  if (options.downloadImage) return guardedDownload(url, options);
  const response = await fetchUpstream({
    provider: options.provider,
    url,
    init: { method: 'GET' },
    signal: options.signal,
    http: upstreamHttpOf(options),
  });
  const declaredLength = Number(response.headers.get('content-length') ?? 0);
  if (declaredLength > maxDownloadBytes) {
    response.cancel();
    throw new UpstreamError({
      provider: options.provider,
      kind: 'server',
      message: `${redactUrl(url)} is larger than ${maxDownloadBytes} bytes`,
      url: redactUrl(url),
    });
  }
  const bytes = await readBytes(response, url, options);
  const declared = response.headers.get('content-type')?.split(';')[0]?.trim();
  const mediaType = declared?.startsWith('image/') ? declared : sniffMediaType(bytes);
  if (!mediaType) {
    throw new UpstreamError({
      provider: options.provider,
      kind: 'server',
      message: `${redactUrl(url)} is not an image`,
      url: redactUrl(url),
    });
  }
  return ImageData.fromBytes(bytes, mediaType);
}

async function guardedDownload(url: string, options: ImageDownloadOptions): Promise<ImageData> {
  try {
    return await (options.downloadImage as NonNullable<ImageDownloadOptions['downloadImage']>)(url, abortSignalOf(options.signal));
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    if (isAbortError(error)) throw error;
    throw new UpstreamError({
      provider: options.provider,
      kind: 'no_image',
      message: `the answer's image URL ${redactUrl(url)} was not downloaded: ${(error as Error).message}`,
      url: redactUrl(url),
      cause: error,
    });
  }
}

/** Wraps a `data:` URL; only non-base64 payloads are decoded here. */
export function imageFromDataUrl(url: string, provider: string): ImageData {
  const comma = url.indexOf(',');
  const header = comma === -1 ? '' : url.slice(5, comma);
  const mediaType = header.split(';')[0] || 'image/png';
  if (comma === -1 || !mediaType.startsWith('image/')) {
    throw new UpstreamError({ provider, kind: 'server', message: 'the upstream returned a data URL that is not an image' });
  }
  if (header.endsWith(';base64')) return ImageData.fromBase64(url.slice(comma + 1), mediaType);
  return ImageData.fromBytes(Buffer.from(decodeURIComponent(url.slice(comma + 1)), 'latin1'), mediaType);
}

/** The media type of base64 image data from its first characters, without decoding it. */
export function mediaTypeFromBase64(base64: string, fallback = 'image/png'): string {
  if (base64.startsWith('iVBOR')) return 'image/png';
  if (base64.startsWith('/9j/')) return 'image/jpeg';
  if (base64.startsWith('UklGR')) return 'image/webp';
  if (base64.startsWith('R0lGOD')) return 'image/gif';
  return fallback;
}

function sniffMediaType(bytes: Uint8Array): string | undefined {
  return mediaTypeFromBase64(Buffer.from(bytes.subarray(0, 12)).toString('base64'), '') || undefined;
}

async function readBytes(response: UpstreamResponse, url: string, options: ImageDownloadOptions): Promise<Uint8Array> {
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    if (isAbortError(error)) throw error;
    throw new UpstreamError({
      provider: options.provider,
      kind: 'server',
      message: `download of ${redactUrl(url)} broke off`,
      url: redactUrl(url),
      cause: error,
    });
  }
}
