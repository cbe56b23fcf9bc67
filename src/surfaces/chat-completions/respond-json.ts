import { toGatewayError } from '../../errors/to-gateway-error.js';
import { GenerationAccumulator } from '../../generation/generation-accumulator.js';
import { usageEvent } from '../../observability/usage-event.js';
import { type Answer, piecesAnswer } from '../../server/answer.js';
import { errorAnswer } from '../../server/error-answer.js';
import { diagnosticHeaders } from '../shared/diagnostic-headers.js';
import { imageHostFor } from '../shared/host-image.js';
import type { SurfaceContext } from '../surface-context.js';
import { completionBody } from './completion-body.js';
import { newCompletionIdentity } from './completion-ids.js';
import type { CompletionExchange } from './prepare-completion.js';

/** Runs a non-stream completion and answers with one `chat.completion` JSON, or the error it ended with. */
export async function respondJson(completion: CompletionExchange, context: SurfaceContext): Promise<Answer> {
  const { prepared, caller } = completion;
  let result = new GenerationAccumulator();
  const outcome = await context.generation.run({
    request: prepared.generation,
    routes: prepared.routes,
    deadline: completion.deadline,
    hooks: {
      // A failed attempt's partial output must not leak into the next one's answer.
      onAttempt: () => {
        result = new GenerationAccumulator();
      },
      onEvent: (event) => result.add(event),
      canRetry: () => true,
    },
  });
  const facts = {
    caller,
    model: prepared.chat.model,
    stream: false,
    projectId: prepared.projectId,
    promptEstimate: prepared.promptEstimate,
  };
  const headers = diagnosticHeaders(caller.requestId, outcome.route, outcome.attempts, prepared.reasoningEffort);
  headers['x-gateway-queue-ms'] = String(outcome.queueMs);
  if (!outcome.ok) {
    const error = toGatewayError(outcome.error, context.redactSecrets);
    context.report(usageEvent(facts, { outcome, status: error.status, errorCode: error.code, images: 0 }, context.now()));
    return errorAnswer(error, headers);
  }
  let hostedUrls: string[] | undefined;
  if (context.options.images.delivery === 'url') {
    const host = imageHostFor(completion.call, context);
    try {
      hostedUrls = await Promise.all(result.images.map((image) => host(image)));
    } catch (failure) {
      const error = toGatewayError(failure, context.redactSecrets);
      context.report(usageEvent(facts, { outcome, status: error.status, errorCode: error.code, images: 0 }, context.now()));
      return errorAnswer(error, headers);
    }
  }
  const model = prepared.chat.model === 'auto' ? outcome.route.model.id : prepared.chat.model;
  const identity = newCompletionIdentity(model, context.now());
  const body = completionBody(result, identity, prepared.placement, prepared.promptEstimate, hostedUrls);
  context.report(usageEvent(facts, { outcome, status: 200, images: result.images.length, usage: result.usage }, context.now()));
  headers['content-type'] = 'application/json';
  return piecesAnswer(body, 200, headers);
}
