import { GatewayError } from './gateway-error.js';
import { ImageGatewayError } from './image-gateway-error.js';

/** Error codes of the image input pipeline, as clients see them in `error.code`. */
export type ImageErrorCode =
  | 'invalid_image_data'
  | 'unsupported_image_format'
  | 'TOO_MANY_IMAGES'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_TOO_MANY_PIXELS'
  | 'IMAGE_TOO_MANY_SCANS'
  | 'IMAGE_DECODE_TIMEOUT'
  | 'IMAGE_URL_REFUSED'
  | 'IMAGE_FETCH_FAILED';

/** The formats inputs may have, for error messages. */
export const acceptedFormatsText = 'PNG, JPEG, GIF and WebP';

/**
 * A 400 about one image. The message starts with the part's path so a client
 * with several images knows which one was refused.
 *
 * @example
 * throw imageError('IMAGE_TOO_LARGE', 'messages[0].content[1].image_url.url', 'is 31457280 bytes; the limit is 20971520');
 */
export function imageError(code: ImageErrorCode, param: string | null, detail: string, cause?: unknown): GatewayError {
  const subject = param ? `Image at ${param}` : 'The request';
  return new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    code,
    param,
    message: `${subject} ${detail}.`,
    cause,
    logDetail: cause instanceof ImageFetchRefusal ? cause.logDetail : undefined,
  });
}

/**
 * The 400 for client image bytes that sharp cannot decode, from the ingest
 * check or from an engine that decodes the image later: the fault is in the
 * bytes the client sent, never a 500. `where` is the part in words
 * ("message 0, part 1") when known; `format` as sniffed ("JPEG").
 *
 * @example
 * throw undecodableImageError('messages[0].content[1].image_url.url', 'message 0, part 1', 'JPEG', sharpError);
 */
export function undecodableImageError(param: string, where: string | undefined, format: string, cause: unknown): GatewayError {
  // sharp repeats libvips' messages one per line; the first says what went wrong.
  const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]?.trim();
  const detail = `is a ${format} that cannot be decoded (${reason}); it may be truncated or corrupt; accepted formats are ${acceptedFormatsText}`;
  return imageError('unsupported_image_format', param, where ? `(${where}) ${detail}` : detail, cause);
}

/**
 * The 503 for an image conversion that found the conversion queue full:
 * the gateway is busy with images, not the client at fault.
 *
 * @example
 * throw conversionQueueFullError(64);
 */
export function conversionQueueFullError(maxWaiting: number): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'IMAGE_QUEUE_FULL',
    message: `The gateway is converting as many images as it holds (${maxWaiting} waiting, option images.maxQueuedConversions); try again shortly.`,
    headers: { 'retry-after': '1' },
  });
}

/**
 * The 503 for a remote image that found every gateway-wide fetch slot taken
 * for its whole `remoteTimeoutMs`.
 *
 * @example
 * throw fetchBusyError(16, 15_000);
 */
export function fetchBusyError(slots: number, waitedMs: number, cause?: unknown): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'IMAGE_FETCH_BUSY',
    message: `The gateway is fetching as many remote images as it allows (${slots}, option images.maxConcurrentFetches) and none finished within ${waitedMs} ms; try again shortly.`,
    headers: { 'retry-after': '1' },
    cause,
  });
}

/**
 * Why the remote fetcher would not bring an image, before anyone knows
 * which part of the request it was for: the ingester turns it into the 400
 * of `imageError` that names the part; the output downloader into a
 * provider's `no_image`.
 */
export class ImageFetchRefusal extends ImageGatewayError {
  override readonly name = 'ImageFetchRefusal';
  readonly retryable = false;

  /** What only the log may see: the address a host name resolved to, and why it was refused. */
  readonly logDetail: string | undefined;

  constructor(
    readonly code: 'IMAGE_URL_REFUSED' | 'IMAGE_FETCH_FAILED' | 'IMAGE_TOO_LARGE',
    readonly detail: string,
    options?: { cause?: unknown; logDetail?: string },
  ) {
    super(detail, options);
    this.logDetail = options?.logDetail;
  }
}
