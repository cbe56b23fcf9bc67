import { openExchange } from '../../server/exchange.js';
import type { Route } from '../../server/router.js';
import type { SurfaceContext } from '../surface-context.js';
import { prepareImages } from './prepare-images-request.js';
import type { ImagesOperation } from './read-images-request.js';
import { respondImagesJson } from './respond-images-json.js';
import { respondImagesStream } from './respond-images-stream.js';

/**
 * POST /v1/images/generations and POST /v1/images/edits, OpenAI's Images
 * API over the same core as chat: prepare (read JSON or multipart,
 * validate, route, ingest), then run and answer with the images as JSON, or as a stream of
 * `image_generation.*` / `image_edit.*` events with `stream: true`.
 */
export function imagesRoutes(context: SurfaceContext): Route[] {
  return [imagesRoute(context, '/v1/images/generations', 'generation'), imagesRoute(context, '/v1/images/edits', 'edit')];
}

function imagesRoute(context: SurfaceContext, path: string, operation: ImagesOperation): Route {
  return {
    method: 'POST',
    path,
    startsWork: true,
    async handle({ call, caller }) {
      const exchange = openExchange(call, caller, context.options.routing.totalTimeoutMs);
      let streaming = false;
      try {
        const prepared = await prepareImages(exchange, context, operation);
        // A literal, not a spread of the exchange: V8 gives each spread copy a hidden class of its own.
        const images = { call: exchange.call, caller: exchange.caller, deadline: exchange.deadline, prepared };
        if (!prepared.request.stream) return await respondImagesJson(images, context);
        streaming = true;
        return respondImagesStream(images, context);
      } finally {
        // A stream lets go of its deadline when it ends; everything else when the answer is ready.
        if (!streaming) exchange.deadline.dispose();
      }
    },
  };
}
