import { openExchange } from '../../server/exchange.js';
import type { Route } from '../../server/router.js';
import type { SurfaceContext } from '../surface-context.js';
import { prepareCompletion } from './prepare-completion.js';
import { respondJson } from './respond-json.js';
import { respondStream } from './respond-stream.js';

/**
 * POST /v1/chat/completions: prepare (read, validate, route, ingest), then
 * run and answer with one `chat.completion` or a stream of chunks.
 */
export function chatCompletionsRoute(context: SurfaceContext): Route {
  return {
    method: 'POST',
    path: '/v1/chat/completions',
    startsWork: true,
    async handle({ call, caller }) {
      const exchange = openExchange(call, caller, context.options.routing.totalTimeoutMs);
      let streaming = false;
      try {
        const prepared = await prepareCompletion(exchange, context);
        // A literal, not a spread of the exchange: V8 gives each spread copy here a hidden class of its own,
        // which a waiting stream would hold.
        const completion = { call: exchange.call, caller: exchange.caller, deadline: exchange.deadline, prepared };
        if (!prepared.chat.stream) return await respondJson(completion, context);
        streaming = true;
        return respondStream(completion, context);
      } finally {
        // A stream lets go of its deadline when it ends; everything else when the answer is ready.
        if (!streaming) exchange.deadline.dispose();
      }
    },
  };
}
