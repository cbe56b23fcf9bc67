import { GatewayError } from '../http/gateway-error.js';

/** Error codes of the image input pipeline, as clients see them in `error.code`. */
export type ImageErrorCode =
  | 'invalid_image_data'
  | 'unsupported_image_format'
  | 'TOO_MANY_IMAGES'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_TOO_MANY_PIXELS'
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
  });
}

/** Reference-free variant for the internals of the remote fetcher, which does not know the param. */
export class ImageFetchRefusal extends Error {
  override readonly name = 'ImageFetchRefusal';
  constructor(
    readonly code: 'IMAGE_URL_REFUSED' | 'IMAGE_FETCH_FAILED' | 'IMAGE_TOO_LARGE',
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
  }
}
