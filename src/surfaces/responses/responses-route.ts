import { jsonAnswer } from '../../server/answer.js';
import type { Caller } from '../../server/exchange.js';
import type { Route } from '../../server/router.js';
import { ownerOf } from '../results/detachment.js';
import type { KeptResult } from '../results/result-registry.js';
import { generationRoute } from '../shared/generation-route.js';
import type { SurfaceContext } from '../surface-context.js';
import type { PreparedResponse } from './prepare-response.js';
import { prepareResponse } from './prepare-response.js';
import { respondResponseJson } from './respond-response-json.js';
import { respondResponseStream } from './respond-response-stream.js';
import { LiveResponses } from './response-lifecycle.js';
import { responseObject } from './response-object.js';
import { storedResponseBlobs } from './stored-response.js';
import { storedResponsesRoutes } from './stored-responses-routes.js';

/**
 * POST /v1/responses, the part of OpenAI's Responses API used for image
 * work, over the same core as chat: prepare (read, validate, route,
 * ingest), then run and answer with one `response` object or its event
 * stream. A response is stored unless `store: false` (OpenAI's default),
 * and its generation then runs to its end when its client leaves;
 * `background: true` answers `queued` at once. GET, cancel and DELETE by
 * id are in `stored-responses-routes.ts`.
 */
export function responsesRoutes(context: SurfaceContext): Route[] {
  const live = new LiveResponses();
  return [
    generationRoute(context, {
      path: '/v1/responses',
      prepare: (exchange) => prepareResponse(exchange, context),
      // A background response always runs as a stream: its events can be resumed by sequence number.
      streams: (prepared) => Boolean(prepared.request.stream || prepared.request.background),
      // Only a run that starts is polled by its id: a twin attached by Idempotency-Key never registers.
      json: (exchange) => {
        registerLive(context, live, exchange.prepared, exchange.caller);
        return respondResponseJson(exchange, context);
      },
      stream: (exchange) => {
        registerLive(context, live, exchange.prepared, exchange.caller);
        return respondResponseStream(exchange, context);
      },
      fingerprintSource: (prepared) => prepared.request,
      kept: (prepared, caller) => keptResponse(context, live, prepared, caller),
      acknowledge: (prepared) =>
        prepared.request.background && !prepared.request.stream
          ? jsonAnswer(responseObject(prepared.lifecycle.identity, prepared.request, 'queued', [], null, prepared.promptEstimate, null))
          : undefined,
    }),
    ...storedResponsesRoutes(context, live),
  ];
}

function registerLive(context: SurfaceContext, live: LiveResponses, prepared: PreparedResponse, caller: Caller): void {
  if (prepared.request.store === false) return;
  live.add(context.results.keyFor('resp', ownerOf(caller), prepared.responseId), prepared.lifecycle);
}

function keptResponse(context: SurfaceContext, live: LiveResponses, prepared: PreparedResponse, caller: Caller): KeptResult | undefined {
  if (prepared.request.store === false) return undefined;
  const owner = ownerOf(caller);
  const responseKey = context.results.keyFor('resp', owner, prepared.responseId);
  const facts = {
    request: prepared.request,
    lifecycle: prepared.lifecycle,
    promptEstimate: prepared.promptEstimate,
    conversation: prepared.conversation,
    responseKey,
    eventsKey: context.results.keyFor('resp-events', owner, prepared.responseId),
    contextKey: context.results.keyFor('resp-context', owner, prepared.responseId),
  };
  return {
    key: responseKey,
    toBlobs: (finished) => {
      live.delete(responseKey);
      return storedResponseBlobs(facts, finished);
    },
  };
}
