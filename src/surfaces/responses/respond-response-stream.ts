import { toGatewayError } from '../../errors/to-gateway-error.js';
import { usageEvent } from '../../observability/usage-event.js';
import type { GenerationEvent, GenerationUsage } from '../../provider.js';
import type { Answer } from '../../server/answer.js';
import { createSseAnswer } from '../../server/event-stream.js';
import { diagnosticHeaders } from '../shared/diagnostic-headers.js';
import { inOutputFormat } from '../shared/output-image.js';
import { StreamProgress } from '../shared/stream-progress.js';
import type { SurfaceContext } from '../surface-context.js';
import type { ResponseExchange } from './prepare-response.js';
import { ResponseEventWriter } from './response-event-writer.js';
import { newResponseIdentity } from './response-object.js';

/**
 * Answers `stream: true` with SSE at once (`response.created`,
 * `response.in_progress`); the request then waits for a slot and runs while
 * heartbeats (SSE comments) keep the connection alive. The exchange's
 * deadline is disposed when the stream ends.
 */
export function respondResponseStream(exchange: ResponseExchange, context: SurfaceContext): Answer {
  const { prepared, caller, deadline } = exchange;
  const firstRoute = prepared.routes[0];
  const model = prepared.request.model === 'auto' && firstRoute ? firstRoute.model.id : prepared.request.model;
  return createSseAnswer({
    heartbeatIntervalMs: context.options.heartbeatIntervalMs,
    clientGone: (listener) => exchange.call.clientGone(listener),
    onCancel: (reason) => deadline.abort(reason),
    headers: diagnosticHeaders(caller.requestId, firstRoute, 1, undefined),
    run: async (writer) => {
      const end = context.inflight.begin(exchange.call);
      const events = new ResponseEventWriter(writer, newResponseIdentity(model, context.now()), prepared);
      events.start();
      const progress = new StreamProgress(writer, context.now);
      let usage: GenerationUsage | undefined;
      const onEvent = async (event: GenerationEvent) => {
        if (event.type === 'text-delta') events.text(event.text);
        else if (event.type === 'image-partial') events.partial(event.image);
        else if (event.type === 'image')
          events.image(await inOutputFormat(event.image, prepared.tool?.output_format, context, deadline.signal));
        else if (event.type === 'usage') usage = event.usage;
      };
      const facts = {
        caller,
        model: prepared.request.model,
        stream: true,
        projectId: prepared.projectId,
        promptEstimate: prepared.promptEstimate,
      };
      try {
        const outcome = await context.generation.run({
          request: prepared.generation,
          routes: prepared.routes,
          deadline,
          hooks: {
            onQueued: (ticket) => progress.queued(ticket),
            onAttempt: () => {
              progress.started();
              usage = undefined;
            },
            onEvent,
            canRetry: () => !events.contentSent,
          },
        });
        if (!outcome.ok) {
          const error = toGatewayError(outcome.error, context.redactSecrets);
          events.fail(error);
          context.report(usageEvent(facts, { outcome, status: error.status, errorCode: error.code, images: 0 }, context.now()));
          return;
        }
        writer.comment(`served-by provider=${outcome.route.provider.id} model=${outcome.route.model.id} attempts=${outcome.attempts}`);
        events.finish(usage);
        context.report(usageEvent(facts, { outcome, status: 200, images: events.imageCount, usage }, context.now()));
      } catch (error) {
        // Nothing above is meant to throw; should something, the client still gets the failure events.
        if (!writer.closed) events.fail(toGatewayError(error, context.redactSecrets));
      } finally {
        deadline.dispose();
        end();
      }
    },
  });
}
