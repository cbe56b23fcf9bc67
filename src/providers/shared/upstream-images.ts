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
  const sniffed = sniffImageFormat(bytes);
  if (!sniffed.format) {
    const declared = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    throw new UpstreamError({
      provider: options.provider,
      kind: 'no_image',
      message: `${redactUrl(url)} is ${sniffed.description} (${declared ?? 'no content-type'}), not a PNG, JPEG, GIF or WebP image`,
      clientDetail: linkedImageDetail,
      url: redactUrl(url),
    });
  }
  return ImageData.fromBytes(bytes, mediaTypeOf[sniffed.format]);
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

/**
 * Wraps a `data:` URL an upstream answered with. Only a PNG, JPEG, GIF or
 * WebP passes, judged by its first bytes (a base64 payload stays lazy: only
 * its first 24 characters are decoded), and its media type is taken from
 * them: a `data:image/svg+xml` (script, external references) or a PNG
 * label on SVG bytes never reaches a client as an image.
 */
export function imageFromDataUrl(url: string, provider: string): ImageData {
  const comma = url.indexOf(',');
  const header = comma === -1 ? '' : url.slice(5, comma);
  const declared = header.split(';')[0] || 'image/png';
  if (comma === -1) throw new UpstreamError({ provider, kind: 'server', message: 'the upstream returned a data URL without data' });
  const base64 = header.endsWith(';base64');
  const payload = url.slice(comma + 1);
  const bytes = base64 ? undefined : Buffer.from(safeDecodeURIComponent(payload), 'latin1');
  const sniffed = sniffImageFormat(bytes ?? Buffer.from(payload.slice(0, 24), 'base64'));
  // The same test as rasterMediaTypeOfBase64, keeping the description for the message.
  if (!sniffed.format) {
    throw new UpstreamError({
      provider,
      kind: 'no_image',
      message: `the upstream returned a data URL (${declared.slice(0, 40)}) holding ${sniffed.description}, not a PNG, JPEG, GIF or WebP image`,
    });
  }
  const mediaType = mediaTypeOf[sniffed.format];
  return bytes ? ImageData.fromBytes(bytes, mediaType) : ImageData.fromBase64(payload, mediaType);
}

function safeDecodeURIComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The media type of base64 image data from its first 24 characters (18
 * bytes, enough for every signature) when it is a PNG, JPEG, GIF or WebP;
 * undefined for anything else (SVG, HTML, text). The rest stays undecoded.
 *
 * @example
 * rasterMediaTypeOfBase64('iVBORw0KGgoAAAANSUhEUgAA'); // 'image/png'
 */
export function rasterMediaTypeOfBase64(head: string): string | undefined {
  const format = sniffImageFormat(Buffer.from(head.slice(0, 24), 'base64')).format;
  return format ? mediaTypeOf[format] : undefined;
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
