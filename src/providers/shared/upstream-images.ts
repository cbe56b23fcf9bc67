import { isAbortError, UpstreamError } from '../../errors/upstream-error.js';
import { ImageData } from '../../images/image-data.js';
import { mediaTypeOf, sniffImageFormat } from '../../images/image-format.js';
import { toAbortSignal } from '../../lib/cancel-signal.js';
import type { GenerationSignal } from '../../provider.js';
import { fetchUpstream, redactUrl, upstreamFailure } from './upstream-fetch.js';
import type { UpstreamHttp, UpstreamResponseHead } from './upstream-http.js';

/** Largest image we download from an upstream's URL; OpenAI's own outputs are a few MB. */
const maxDownloadBytes = 64 * 1024 * 1024;

export interface ImageDownloadOptions {
  provider: string;
  http: UpstreamHttp;
  signal: GenerationSignal;
  /** The gateway's SSRF-guarded downloader, for URLs a model wrote (relay answers); the provider's own API links go through `http`. */
  downloadImage?: (url: string, signal: AbortSignal) => Promise<ImageData>;
  /** The error for a download answered with a non-2xx status (FLUX: its signed URL expired); default: by status. */
  toError?: (response: UpstreamResponseHead, bodyText: string) => UpstreamError;
}

/**
 * An image an upstream referenced by URL: `data:` URLs are wrapped without
 * decoding (the base64 stays lazy), `http(s):` URLs (dall-e results, relay
 * markdown) are downloaded at once because they expire.
 *
 * @example
 * const image = await imageFromUrl('https://cdn.example/out.png', { provider: 'openai', http: context.http, signal });
 */
export async function imageFromUrl(url: string, options: ImageDownloadOptions): Promise<ImageData> {
  if (url.startsWith('data:')) return imageFromDataUrl(url, options.provider);
  if (options.downloadImage) return guardedDownload(url, options);
  const response = await fetchUpstream({
    provider: options.provider,
    url,
    init: { method: 'GET' },
    signal: options.signal,
    http: options.http,
    toError: options.toError,
  });
  const declaredLength = Number(response.headers.get('content-length') ?? 0);
  if (declaredLength > maxDownloadBytes) {
    response.cancel();
    throw upstreamFailure(
      options.provider,
      url,
      `${redactUrl(url)} is larger than ${maxDownloadBytes} bytes`,
      undefined,
      undefined,
      linkedImageDetail,
    );
  }
  const bytes = await readBytes(response, url, options);
  // The bytes say what they are; a delivery host may answer application/octet-stream, or misname the type.
  const sniffed = sniffImageFormat(bytes).format;
  const declared = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  const mediaType = sniffed ? mediaTypeOf[sniffed] : declared?.startsWith('image/') ? declared : undefined;
  if (!mediaType) {
    throw upstreamFailure(
      options.provider,
      url,
      `${redactUrl(url)} is not an image (${declared ?? 'no content-type'})`,
      undefined,
      undefined,
      linkedImageDetail,
    );
  }
  return ImageData.fromBytes(bytes, mediaType);
}

/** What a client reads when an image the answer links to cannot be had: the URL and the reason stay in the log. */
const linkedImageDetail = 'an image its answer links to could not be downloaded';

async function guardedDownload(url: string, options: ImageDownloadOptions): Promise<ImageData> {
  try {
    return await (options.downloadImage as NonNullable<ImageDownloadOptions['downloadImage']>)(url, toAbortSignal(options.signal));
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    if (isAbortError(error)) throw error;
    throw new UpstreamError({
      provider: options.provider,
      kind: 'no_image',
      message: `the answer's image URL ${redactUrl(url)} was not downloaded: ${(error as Error).message}`,
      clientDetail: linkedImageDetail,
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

async function readBytes(
  response: { arrayBuffer(): Promise<ArrayBuffer> },
  url: string,
  options: ImageDownloadOptions,
): Promise<Uint8Array> {
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    if (isAbortError(error)) throw error;
    throw upstreamFailure(options.provider, url, `download of ${redactUrl(url)} broke off`, error, undefined, linkedImageDetail);
  }
}
