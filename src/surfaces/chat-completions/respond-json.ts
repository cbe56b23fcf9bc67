import { toGatewayError } from '../../errors/to-gateway-error.js';
import { DispatchFailure } from '../../generation/dispatch/dispatch-generation.js';
import { runCompletion } from '../../generation/run-generation.js';
import type { LinkedSignal } from '../../lib/cancel-signal.js';
import { usageEvent } from '../../observability/usage-event.js';
import { type Answer, piecesAnswer } from '../../server/answer.js';
import { errorAnswer } from '../../server/error-answer.js';
import type { CallerInfo, GatewayContext } from '../surface-context.js';
import { CompletionBuilder } from './completion-builder.js';
import { newCompletionIdentity } from './completion-ids.js';
import { diagnosticHeaders } from './diagnostic-headers.js';
import type { PreparedCompletion } from './prepare-completion.js';

/** Runs a non-stream completion and answers with one `chat.completion` JSON. */
export async function respondJson(
  prepared: PreparedCompletion,
  context: GatewayContext,
  caller: CallerInfo,
  deadline: LinkedSignal,
): Promise<Answer> {
  let builder = new CompletionBuilder(prepared.placement);
  try {
    const result = await runCompletion(prepared, context, deadline, {
      // A failed attempt's partial output must not leak into the next one's answer.
      onAttempt: () => {
        builder = new CompletionBuilder(prepared.placement);
      },
      onEvent: (event) => builder.add(event),
      canRetry: () => true,
    });
    const model = prepared.chat.model === 'auto' ? result.route.model.id : prepared.chat.model;
    const body = builder.toBodyPieces(newCompletionIdentity(model, context.now()), prepared.promptEstimate);
    context.report(usageEvent(prepared, caller, context, { status: 200, result, images: builder.imageCount, usage: builder.usage }));
    return piecesAnswer(body, 200, {
      'content-type': 'application/json',
      'x-gateway-queue-ms': String(result.queueMs),
      ...diagnosticHeaders(caller.requestId, result.route, result.attempts, prepared.reasoningEffort),
    });
  } catch (caught) {
    const failure = caught instanceof DispatchFailure ? caught : new DispatchFailure(caught, 0, undefined, 0);
    const error = toGatewayError(failure.error, context.redactSecrets);
    context.report(usageEvent(prepared, caller, context, { status: error.status, errorCode: error.code, failure, images: 0 }));
    return errorAnswer(error, {
      'x-gateway-queue-ms': String(failure.queueMs),
      ...diagnosticHeaders(caller.requestId, failure.route, failure.attempts, prepared.reasoningEffort),
    });
  }
}
