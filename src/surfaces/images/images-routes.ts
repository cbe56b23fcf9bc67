import type { Route } from '../../server/router.js';
import { generationRoute } from '../shared/generation-route.js';
import type { SurfaceContext } from '../surface-context.js';
import { prepareImages } from './prepare-images-request.js';
import type { ImagesOperation } from './read-images-request.js';
import { respondImagesJson } from './respond-images-json.js';
import { respondImagesStream } from './respond-images-stream.js';

/**
 * POST /v1/images/generations and POST /v1/images/edits, OpenAI's Images
 * API over the same core as chat: prepare (read JSON or multipart,
 * validate, route, ingest), then run and answer with the images as JSON,
 * or as a stream of `image_generation.*` / `image_edit.*` events with `stream: true`.
 */
export function imagesRoutes(context: SurfaceContext): Route[] {
  return [imagesRoute(context, '/v1/images/generations', 'generation'), imagesRoute(context, '/v1/images/edits', 'edit')];
}

function imagesRoute(context: SurfaceContext, path: string, operation: ImagesOperation): Route {
  return generationRoute(context, {
    path,
    prepare: (exchange) => prepareImages(exchange, context, operation),
    streams: (prepared) => Boolean(prepared.request.stream),
    json: (exchange) => respondImagesJson(exchange, context),
    stream: (exchange) => respondImagesStream(exchange, context),
    // Multipart files are not in the request object: their bytes count through the ingested images.
    fingerprintSource: (prepared) => ({
      request: prepared.request,
      images: prepared.generation.inputImages,
      mask: prepared.generation.mask,
    }),
  });
}
