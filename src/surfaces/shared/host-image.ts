import { GatewayError } from '../../errors/gateway-error.js';
import type { ImageData } from '../../images/image-data.js';
import type { IncomingCall } from '../../server/incoming-call.js';
import type { SurfaceContext } from '../surface-context.js';
import { ImageLinkSigner, imageFileKey, imageFileName, imageFilesPath, newImageFileId } from './image-file-links.js';
import { publicBase } from './public-origin.js';

/** Stores an output image as a hosted file and gives the URL a client fetches it at. */
export type HostImage = (image: ImageData) => Promise<string>;

/**
 * The image hosting of one request: each image goes into the blob store
 * under a new id for `images.urlTtlSeconds`, and its URL starts from the
 * public origin this request reached the gateway at. The URL is only given
 * once the store has the file, so a client (or another process sharing the
 * store) that fetches it at once finds it.
 *
 * @example
 * const host = imageHostFor(call, context);
 * const url = await host(image); // https://gateway.example/v1/files/images/img_….png
 */
export function imageHostFor(call: IncomingCall, context: SurfaceContext): HostImage {
  const { options } = context;
  let base: string | undefined;
  return async (image) => {
    base ??= publicBase(call, { publicUrl: options.publicUrl, trustProxy: options.trustProxy, basePath: options.basePath });
    const id = newImageFileId();
    const ttlSeconds = options.images.urlTtlSeconds;
    const expiresAtSeconds = Math.floor(context.now() / 1000) + ttlSeconds;
    try {
      await context.blobs.put(imageFileKey(id), { bytes: image.bytes(), contentType: image.mediaType }, ttlSeconds * 1000);
    } catch (error) {
      throw imageStoreFailure(error);
    }
    const signer = signerOf(context);
    const query = signer ? `?${signer.query(id, expiresAtSeconds)}` : '';
    return `${base}${imageFilesPath}${imageFileName(id, image.mediaType)}${query}`;
  };
}

/** The URL signer, when `images.urlSigningSecret` is set. */
export function signerOf(context: Pick<SurfaceContext, 'options'>): ImageLinkSigner | undefined {
  const secret = context.options.images.urlSigningSecret;
  return secret ? new ImageLinkSigner(secret) : undefined;
}

function imageStoreFailure(cause: unknown): GatewayError {
  const tooBig = cause instanceof RangeError;
  return new GatewayError({
    status: tooBig ? 500 : 503,
    type: 'server_error',
    code: 'IMAGE_STORE_FAILED',
    message: tooBig
      ? 'The generated image is larger than the image file store may hold (blobs.maxBytes), so no URL could be given for it.'
      : 'The generated image could not be stored for its URL; try again.',
    cause,
    logDetail: String((cause as Error)?.message ?? cause).slice(0, 500),
  });
}
