import { openExchange } from '../../server/exchange.js';
import type { Route } from '../../server/router.js';
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
  return {
    method: 'POST',
    path: '/v1/responses',
    startsWork: true,
    async handle({ call, caller }) {
      const exchange = openExchange(call, caller, context.options.routing.totalTimeoutMs);
      let streaming = false;
      try {
        const prepared = await prepareResponse(exchange, context);
        // A literal, not a spread of the exchange: V8 gives each spread copy a hidden class of its own.
        const response = { call: exchange.call, caller: exchange.caller, deadline: exchange.deadline, prepared };
        if (!prepared.request.stream) return await respondResponseJson(response, context);
        streaming = true;
        return respondResponseStream(response, context);
      } finally {
        // A stream lets go of its deadline when it ends; everything else when the answer is ready.
        if (!streaming) exchange.deadline.dispose();
      }
    },
  };
}
