import { toGatewayError } from '../../errors/to-gateway-error.js';
import { linkSignals } from '../../lib/cancel-signal.js';
import type { Answer } from '../../server/answer.js';
import { errorAnswer } from '../../server/error-answer.js';
import { type Caller, type Exchange, openExchange } from '../../server/exchange.js';
import type { IncomingCall } from '../../server/incoming-call.js';
import type { Route } from '../../server/router.js';
import { detachedCall } from '../results/detached-call.js';
import { detachmentOf } from '../results/detachment.js';
import type { KeptResult } from '../results/result-registry.js';
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
  /** What identifies the request for `Idempotency-Key`: the validated request, with its images when they are not in it. */
  fingerprintSource(prepared: Prepared): unknown;
  /** A result kept by id for this caller (`store: true`); its generation runs detached. */
  kept?(prepared: Prepared, caller: Caller): KeptResult | undefined;
  /** For a kept request answered before it runs (a background response): the answer to give at once. */
  acknowledge?(prepared: Prepared): Answer | undefined;
}

/**
 * A POST route that opens the exchange (call, caller, deadline), prepares
 * the request, and answers as one JSON or as a stream. A request with an
 * `Idempotency-Key`, one kept by id, or any with `results.detachAll` runs
 * detached from its connection, through the results registry.
 *
 * @example
 * generationRoute(context, { path: '/v1/responses', prepare, streams: (p) => Boolean(p.request.stream), json, stream, fingerprintSource: (p) => p.request });
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
        const kept = endpoint.kept?.(prepared, caller);
        const detachAll = context.options.results.detachAll;
        // The common request (no key, nothing kept) pays one header lookup here, nothing more.
        const detached =
          kept || detachAll || call.header('idempotency-key') !== null
            ? detachmentOf(context.results, call, caller, {
                path: endpoint.path,
                fingerprintSource: () => endpoint.fingerprintSource(prepared),
                kept,
                detachAll,
              })
            : undefined;
        if (detached) {
          return await context.results.serve(
            detached,
            () => runDetached(context, endpoint, call, caller, prepared),
            (error) => errorAnswer(toGatewayError(error, context.redactSecrets)),
            endpoint.acknowledge?.(prepared),
          );
        }
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

/**
 * The generation of a detached request: its own deadline (the total
 * timeout; the gateway's shutdown reaches it through the core), and a call
 * whose client leaving is not heard.
 */
async function runDetached<Prepared>(
  context: SurfaceContext,
  endpoint: GenerationEndpoint<Prepared>,
  call: IncomingCall,
  caller: Caller,
  prepared: Prepared,
): Promise<Answer> {
  const deadline = linkSignals([], context.options.routing.totalTimeoutMs);
  const ready = { call: detachedCall(call), caller, deadline, prepared };
  if (endpoint.streams(prepared)) return endpoint.stream(ready);
  try {
    return await endpoint.json(ready);
  } finally {
    deadline.dispose();
  }
}
