import type { Answer } from '../../server/answer.js';
import { type Exchange, openExchange } from '../../server/exchange.js';
import type { Route } from '../../server/router.js';
import type { SurfaceContext } from '../surface-context.js';

/** A request that passed its surface's checks, with the exchange it arrived in. */
export interface PreparedExchange<Prepared> extends Exchange {
  readonly prepared: Prepared;
}

/** How one surface endpoint reads its request and answers it. */
export interface GenerationEndpoint<Prepared> {
  path: string;
  /** Read, validate, route and ingest: everything that may still be a plain 4xx. */
  prepare(exchange: Exchange): Promise<Prepared>;
  streams(prepared: Prepared): boolean;
  json(exchange: PreparedExchange<Prepared>): Promise<Answer>;
  /** The stream owns the deadline from here on, and disposes of it when it ends. */
  stream(exchange: PreparedExchange<Prepared>): Answer;
}

/**
 * A POST route that opens the exchange (call, caller, deadline), prepares
 * the request, and answers as one JSON or as a stream.
 *
 * @example
 * generationRoute(context, { path: '/v1/responses', prepare, streams: (p) => Boolean(p.request.stream), json, stream });
 */
export function generationRoute<Prepared>(context: SurfaceContext, endpoint: GenerationEndpoint<Prepared>): Route {
  return {
    method: 'POST',
    path: endpoint.path,
    startsWork: true,
    async handle({ call, caller }) {
      const exchange = openExchange(call, caller, context.options.routing.totalTimeoutMs);
      let streaming = false;
      try {
        const prepared = await endpoint.prepare(exchange);
        // A literal, not a spread of the exchange: V8 gives each spread copy a hidden class of its own.
        const ready = { call: exchange.call, caller: exchange.caller, deadline: exchange.deadline, prepared };
        if (!endpoint.streams(prepared)) return await endpoint.json(ready);
        streaming = true;
        return endpoint.stream(ready);
      } finally {
        // A stream lets go of its deadline when it ends; everything else when the answer is ready.
        if (!streaming) exchange.deadline.dispose();
      }
    },
  };
}
