import { toGatewayError } from '../../errors/to-gateway-error.js';
import type { DispatchOutcome } from '../../generation/dispatch/dispatch-generation.js';
import { usageEvent } from '../../observability/usage-event.js';
import type { Answer } from '../../server/answer.js';
import { createSseAnswer, type SseWriter } from '../../server/event-stream.js';
import { diagnosticHeaders } from '../shared/diagnostic-headers.js';
import { imageHostFor } from '../shared/host-image.js';
import { StreamProgress } from '../shared/stream-progress.js';
import type { SurfaceContext } from '../surface-context.js';
import { ChunkWriter } from './chunk-writer.js';
import { newCompletionIdentity } from './completion-ids.js';
import type { CompletionExchange } from './prepare-completion.js';

/**
 * Answers with SSE at once; the request then waits for a slot and runs
 * while heartbeats keep the connection alive. Headers go out before the
 * slot is known, so the diagnostic headers name the first planned route;
 * a closing comment names the one that served (it differs after a fallback).
 * The exchange's deadline is disposed when the stream ends.
 */
export function respondStream(completion: CompletionExchange, context: SurfaceContext): Answer {
  const { prepared, caller, deadline } = completion;
  const firstRoute = prepared.routes[0];
  const model = prepared.chat.model === 'auto' && firstRoute ? firstRoute.model.id : prepared.chat.model;
  const identity = newCompletionIdentity(model, context.now());
  return createSseAnswer({
    heartbeatIntervalMs: context.options.heartbeatIntervalMs,
    // Only the client going away ends the body at once; a deadline must still write its error event and [DONE].
    clientGone: (listener) => completion.call.clientGone(listener),
    onCancel: (reason) => deadline.abort(reason),
    headers: diagnosticHeaders(caller.requestId, firstRoute, 1, prepared.reasoningEffort),
    // One async function for the whole wait: ten thousand streams may wait in the queue, each holding its frame.
    run: async (writer) => {
      const end = context.inflight.begin(completion.call);
      const images = context.options.images;
      const chunks = new ChunkWriter(
        writer,
        identity,
        prepared.placement,
        prepared.generation.imageRequired === true,
        images.delivery === 'inline' ? images.maxSseLineBytes : undefined,
      );
      // URL delivery: each image is stored before its chunk names its URL (the run waits for it, in order).
      const host = images.delivery === 'url' ? imageHostFor(completion.call, context) : undefined;
      chunks.role();
      const progress = new StreamProgress(writer, context.now);
      try {
        const outcome = await context.generation.run({
          request: prepared.generation,
          routes: prepared.routes,
          deadline,
          hooks: {
            onQueued: (ticket) => progress.queued(ticket),
            onAttempt: () => {
              progress.started();
              chunks.newAttempt();
            },
            onEvent: (event) => {
              if (host && event.type === 'image') return host(event.image).then((url) => chunks.hostedImage(url));
              chunks.event(event);
            },
            canRetry: () => !chunks.contentSent,
          },
        });
        finishStream(completion, context, writer, chunks, outcome);
      } catch (error) {
        // Nothing above is meant to throw; should something, the client still gets an error event and [DONE].
        if (!writer.closed) chunks.fail(toGatewayError(error, context.redactSecrets));
      } finally {
        deadline.dispose();
        end();
      }
    },
  });
}

/** The last chunks (or the error event) and the request's usage record. */
function finishStream(
  completion: CompletionExchange,
  context: SurfaceContext,
  writer: SseWriter,
  chunks: ChunkWriter,
  outcome: DispatchOutcome,
): void {
  const { prepared, caller } = completion;
  const facts = {
    caller,
    model: prepared.chat.model,
    stream: true,
    projectId: prepared.projectId,
    promptEstimate: prepared.promptEstimate,
    outcome,
  };
  if (!outcome.ok) {
    const error = toGatewayError(outcome.error, context.redactSecrets);
    if (!writer.closed) chunks.fail(error);
    context.report(usageEvent(facts, { outcome, status: error.status, errorCode: error.code, images: 0 }, context.now()));
    return;
  }
  writer.comment(`served-by provider=${outcome.route.provider.id} model=${outcome.route.model.id} attempts=${outcome.attempts}`);
  chunks.finish(Boolean(prepared.chat.stream_options?.include_usage), prepared.promptEstimate);
  context.report(usageEvent(facts, { outcome, status: 200, images: chunks.imageCount, usage: chunks.usage }, context.now()));
}
