import type { Route } from '../../server/router.js';
import { ownerOf } from '../results/detachment.js';
import { generationRoute } from '../shared/generation-route.js';
import type { SurfaceContext } from '../surface-context.js';
import { prepareCompletion } from './prepare-completion.js';
import { respondJson } from './respond-json.js';
import { respondStream } from './respond-stream.js';
import { storedCompletionBlobs } from './stored-completion.js';
import { storedCompletionsRoutes } from './stored-completions-routes.js';

function keptCompletion(key: string) {
  return { key, toBlobs: storedCompletionBlobs(key) };
}

/**
 * POST /v1/chat/completions: prepare (read, validate, route, ingest), then
 * run and answer with one `chat.completion` or a stream of chunks; with
 * `store: true` the completion is kept for GET and DELETE
 * /v1/chat/completions/{completion_id}.
 */
export function chatCompletionsRoutes(context: SurfaceContext): Route[] {
  return [
    generationRoute(context, {
      path: '/v1/chat/completions',
      prepare: (exchange) => prepareCompletion(exchange, context),
      streams: (prepared) => prepared.chat.stream,
      json: (completion) => respondJson(completion, context),
      stream: (completion) => respondStream(completion, context),
      fingerprintSource: (prepared) => prepared.chat,
      kept: (prepared, caller) =>
        prepared.chat.store === true
          ? keptCompletion(context.results.keyFor('chatcmpl', ownerOf(caller), prepared.completionId))
          : undefined,
    }),
    ...storedCompletionsRoutes(context),
  ];
}
