import { toGatewayError } from '../../errors/to-gateway-error.js';
import { base64Pieces } from '../../images/image-json-pieces.js';
import { PayloadSlots } from '../../lib/json/json-payload-slots.js';
import { usageEvent } from '../../observability/usage-event.js';
import { type Answer, piecesAnswer } from '../../server/answer.js';
import { errorAnswer } from '../../server/error-answer.js';
import { diagnosticHeaders } from '../shared/diagnostic-headers.js';
import { inOutputFormat, outputImageFacts } from '../shared/output-image.js';
import { runToResult } from '../shared/run-generation.js';
import type { SurfaceContext } from '../surface-context.js';
import type { ResponseExchange } from './prepare-response.js';
import { imageCallItem, messageItem, newItemId, newResponseIdentity, responseObject } from './response-object.js';

/**
 * Runs a response and answers with one `response` object: each image as an
 * `image_generation_call` item (its base64 in `result`, written as the
 * pieces it is held in), then the text as an assistant `message`; or the
 * error it ended with.
 */
export async function respondResponseJson(exchange: ResponseExchange, context: SurfaceContext): Promise<Answer> {
  const { prepared, caller, deadline } = exchange;
  prepared.lifecycle.bind((reason) => deadline.abort(reason));
  const { outcome, result } = await runToResult(context, prepared, deadline);
  const model = prepared.request.model;
  const facts = {
    caller,
    model,
    stream: false,
    projectId: prepared.projectId,
    promptEstimate: prepared.promptEstimate,
    request: prepared.generation,
  };
  const headers = diagnosticHeaders(caller.requestId, outcome.route, outcome.attempts, undefined);
  headers['x-gateway-queue-ms'] = String(outcome.queueMs);
  let images = result.images;
  let failure: unknown = outcome.ok ? undefined : outcome.error;
  if (outcome.ok) {
    const format = prepared.tool?.output_format;
    images = await Promise.all(images.map((image) => inOutputFormat(image, format, context, deadline.signal))).catch((error) => {
      failure = error;
      return images;
    });
  }
  if (!outcome.ok || failure !== undefined) {
    const error = toGatewayError(failure, context.redactSecrets);
    context.report(usageEvent(facts, { outcome, status: error.status, errorCode: error.code, images: 0 }, context.now()));
    return errorAnswer(error, headers);
  }
  const identity = newResponseIdentity(model === 'auto' ? outcome.route.model.id : model, context.now(), prepared.responseId);
  const slots = new PayloadSlots();
  const output: Record<string, unknown>[] = images.map((image) =>
    imageCallItem(newItemId('ig'), slots.slot(base64Pieces(image)), outputImageFacts(image), prepared.tool),
  );
  if (result.text !== '' || images.length === 0) output.push(messageItem(newItemId('msg'), result.text, 'completed'));
  const body = slots.stringify(
    responseObject(identity, prepared.request, 'completed', output, result.usage, prepared.promptEstimate, null),
  );
  context.report(usageEvent(facts, { outcome, status: 200, images: images.length, usage: result.usage }, context.now()));
  headers['content-type'] = 'application/json';
  return piecesAnswer(body, 200, headers);
}
