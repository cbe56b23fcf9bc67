import { toGatewayError } from '../../errors/to-gateway-error.js';
import type { QueueTicket } from '../../generation/admission/slot-scheduler.js';
import { DispatchFailure } from '../../generation/dispatch/dispatch-generation.js';
import { runCompletion } from '../../generation/run-generation.js';
import type { LinkedSignal } from '../../lib/cancel-signal.js';
import { usageEvent } from '../../observability/usage-event.js';
import type { Answer } from '../../server/answer.js';
import { createSseAnswer } from '../../server/event-stream.js';
import type { IncomingCall } from '../../server/incoming-call.js';
import type { CallerInfo, GatewayContext } from '../surface-context.js';
import { ChunkWriter } from './chunk-writer.js';
import { newCompletionIdentity } from './completion-ids.js';
import { diagnosticHeaders } from './diagnostic-headers.js';
import type { PreparedCompletion } from './prepare-completion.js';

/**
 * Answers with SSE at once; the request then waits for a slot and runs
 * while heartbeats keep the connection alive. Headers go out before the
 * slot is known, so the diagnostic headers name the first planned route;
 * a closing comment names the one that served (it differs after a fallback).
 */
export function respondStream(
  call: IncomingCall,
  prepared: PreparedCompletion,
  context: GatewayContext,
  caller: CallerInfo,
  /** The client's signal plus the request's total deadline; disposed when the stream ends. */
  deadline: LinkedSignal,
): Answer {
  const firstRoute = prepared.routes[0];
  const model = prepared.chat.model === 'auto' && firstRoute ? firstRoute.model.id : prepared.chat.model;
  const identity = newCompletionIdentity(model, context.now());
  return createSseAnswer({
    heartbeatIntervalMs: context.options.heartbeatIntervalMs,
    // Only the client going away ends the body at once; a deadline must still write its error event and [DONE].
    clientGone: (listener) => call.clientGone(listener),
    onCancel: (reason) => deadline.abort(reason),
    headers: diagnosticHeaders(caller.requestId, firstRoute, 1, prepared.reasoningEffort),
    run: async (writer) => {
      const end = context.inflight.begin(call);
      const chunks = new ChunkWriter(writer, identity, prepared.placement);
      chunks.role();
      let ticket: QueueTicket | undefined;
      let runningSince: number | undefined;
      writer.setProgress(() => {
        if (runningSince !== undefined) return `generating ${Math.round((context.now() - runningSince) / 1000)}s`;
        const position = ticket?.position() ?? 0;
        return position > 0 ? `queue position ${position}` : undefined;
      });
      try {
        const result = await runCompletion(prepared, context, deadline, {
          onQueued: (next) => {
            ticket = next;
            runningSince = undefined;
          },
          onAttempt: () => {
            runningSince = context.now();
          },
          onEvent: (event) => chunks.event(event),
          canRetry: () => !chunks.contentSent,
        });
        writer.comment(`served-by provider=${result.route.provider.id} model=${result.route.model.id} attempts=${result.attempts}`);
        chunks.finish(Boolean(prepared.chat.stream_options?.include_usage), prepared.promptEstimate);
        context.report(usageEvent(prepared, caller, context, { status: 200, result, images: chunks.imageCount, usage: chunks.usage }));
      } catch (caught) {
        const failure = caught instanceof DispatchFailure ? caught : new DispatchFailure(caught, 0, undefined, 0);
        const error = toGatewayError(failure.error, context.redactSecrets);
        if (!writer.closed) chunks.fail(error);
        context.report(usageEvent(prepared, caller, context, { status: error.status, errorCode: error.code, failure, images: 0 }));
      } finally {
        deadline.dispose();
        end();
      }
    },
  });
}
