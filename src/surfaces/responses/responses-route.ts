import type { Route } from '../../server/router.js';
import { generationRoute } from '../shared/generation-route.js';
import type { SurfaceContext } from '../surface-context.js';
import { prepareResponse } from './prepare-response.js';
import { respondResponseJson } from './respond-response-json.js';
import { respondResponseStream } from './respond-response-stream.js';

/**
 * POST /v1/responses, the part of OpenAI's Responses API used for image
 * work, over the same core as chat: prepare (read, validate, route,
 * ingest), then run and answer with one `response` object or its event stream.
 */
export function responsesRoute(context: SurfaceContext): Route {
  return generationRoute(context, {
    path: '/v1/responses',
    prepare: (exchange) => prepareResponse(exchange, context),
    streams: (prepared) => Boolean(prepared.request.stream),
    json: (exchange) => respondResponseJson(exchange, context),
    stream: (exchange) => respondResponseStream(exchange, context),
    fingerprintSource: (prepared) => prepared.request,
  });
}
