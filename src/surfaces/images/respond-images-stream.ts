import { toGatewayError } from '../../errors/to-gateway-error.js';
import type { DispatchOutcome } from '../../generation/dispatch/dispatch-generation.js';
import { usageEvent } from '../../observability/usage-event.js';
import type { GenerationEvent, GenerationUsage } from '../../provider.js';
import type { Answer } from '../../server/answer.js';
import { createSseAnswer } from '../../server/event-stream.js';
import { inOutputFormat } from '../shared/output-image.js';
import { StreamProgress } from '../shared/stream-progress.js';
import type { SurfaceContext } from '../surface-context.js';
import { ImageEventWriter } from './image-event-writer.js';
import { noImageError } from './no-image-error.js';
import type { ImagesExchange } from './prepare-images-request.js';
import { imagesHeaders } from './respond-images-json.js';

/**
 * Answers `stream: true` with SSE at once; the request then waits for a
 * slot and runs while heartbeats (SSE comments) keep the connection alive.
 * Partial images a provider sends (OpenAI Images) pass on; every provider
 * sends the completed event. The exchange's deadline is disposed when the stream ends.
 */
export function respondImagesStream(exchange: ImagesExchange, context: SurfaceContext): Answer {
  const { prepared, deadline } = exchange;
  return createSseAnswer({
    heartbeatIntervalMs: context.options.heartbeatIntervalMs,
    clientGone: (listener) => exchange.call.clientGone(listener),
    onCancel: (reason) => deadline.abort(reason),
    headers: imagesHeaders(exchange, prepared.routes[0], 1),
    run: async (writer) => {
      const end = context.inflight.begin(exchange.call);
      const prefix = prepared.operation === 'edit' ? 'image_edit' : 'image_generation';
      const events = new ImageEventWriter(writer, prefix, prepared.request, context.now());
      const progress = new StreamProgress(writer, context.now);
      let usage: GenerationUsage | undefined;
      const onEvent = async (event: GenerationEvent) => {
        if (event.type === 'image-partial') events.partial(event.image);
        else if (event.type === 'image') {
          events.image(await inOutputFormat(event.image, prepared.request.output_format, context, deadline.signal));
        } else if (event.type === 'usage') usage = event.usage;
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
        if (outcome.ok)
          writer.comment(`served-by provider=${outcome.route.provider.id} model=${outcome.route.model.id} attempts=${outcome.attempts}`);
        finish(exchange, context, events, outcome, usage);
      } catch (error) {
        // Nothing above is meant to throw; should something, the client still gets an error event.
        if (!writer.closed) events.fail(toGatewayError(error, context.redactSecrets));
      } finally {
        deadline.dispose();
        end();
      }
    },
  });
}

/** The last event (or the error event) and the request's usage record. */
function finish(
  exchange: ImagesExchange,
  context: SurfaceContext,
  events: ImageEventWriter,
  outcome: DispatchOutcome,
  usage: GenerationUsage | undefined,
): void {
  const { prepared, caller } = exchange;
  const facts = { caller, model: prepared.model, stream: true, projectId: prepared.projectId, promptEstimate: prepared.promptEstimate };
  if (!outcome.ok) {
    const error = toGatewayError(outcome.error, context.redactSecrets);
    events.fail(error);
    context.report(usageEvent(facts, { outcome, status: error.status, errorCode: error.code, images: 0 }, context.now()));
    return;
  }
  if (events.imageCount === 0) {
    // No 200 without the thing asked for: a provider that ended without an image is an error event.
    const error = noImageError();
    events.fail(error);
    context.report(usageEvent(facts, { outcome, status: error.status, errorCode: error.code, images: 0 }, context.now()));
    return;
  }
  events.finish(usage, prepared.promptEstimate);
  context.report(usageEvent(facts, { outcome, status: 200, images: events.imageCount, usage }, context.now()));
}
