import { toGatewayError } from '../../errors/to-gateway-error.js';
import type { ModelRoute } from '../../generation/routing/model-registry.js';
import type { ImageData } from '../../images/image-data.js';
import { usageEvent } from '../../observability/usage-event.js';
import { type Answer, piecesAnswer } from '../../server/answer.js';
import { errorAnswer } from '../../server/error-answer.js';
import { diagnosticHeaders } from '../shared/diagnostic-headers.js';
import { imageHostFor } from '../shared/host-image.js';
import { inOutputFormat } from '../shared/output-image.js';
import { runToResult } from '../shared/run-generation.js';
import type { SurfaceContext } from '../surface-context.js';
import { imagesResponseBody } from './images-response-body.js';
import { noImageError } from './no-image-error.js';
import type { ImagesExchange } from './prepare-images-request.js';
import { ignoredOptions } from './provider-image-options.js';

/** Runs an Images API request and answers with its images as one JSON, or the error it ended with. */
export async function respondImagesJson(exchange: ImagesExchange, context: SurfaceContext): Promise<Answer> {
  const { prepared, caller, deadline } = exchange;
  const { outcome, result } = await runToResult(context, prepared, deadline);
  const facts = { caller, model: prepared.model, stream: false, projectId: prepared.projectId, promptEstimate: prepared.promptEstimate };
  const headers = imagesHeaders(exchange, outcome.route, outcome.attempts);
  headers['x-gateway-queue-ms'] = String(outcome.queueMs);
  const refuse = (failure: unknown): Answer => {
    const error = toGatewayError(failure, context.redactSecrets);
    context.report(usageEvent(facts, { outcome, status: error.status, errorCode: error.code, images: 0 }, context.now()));
    return errorAnswer(error, headers);
  };
  if (!outcome.ok) return refuse(outcome.error);
  if (result.images.length === 0) return refuse(noImageError());
  let images: ImageData[];
  try {
    images = await Promise.all(
      result.images.map((image) => inOutputFormat(image, prepared.request.output_format, context, deadline.signal)),
    );
  } catch (error) {
    return refuse(error);
  }
  let hostedUrls: string[] | undefined;
  if (prepared.request.response_format === 'url') {
    const host = imageHostFor(exchange.call, context);
    try {
      hostedUrls = await Promise.all(images.map((image) => host(image)));
    } catch (error) {
      return refuse(error);
    }
  }
  const body = imagesResponseBody(images, prepared.request, result.usage, prepared.promptEstimate, context.now(), hostedUrls);
  context.report(usageEvent(facts, { outcome, status: 200, images: images.length, usage: result.usage }, context.now()));
  headers['content-type'] = 'application/json';
  return piecesAnswer(body, 200, headers);
}

/** The diagnostic headers, and which options the serving provider will not act on (README's provider support table). */
export function imagesHeaders(exchange: ImagesExchange, route: ModelRoute | undefined, attempts: number): Record<string, string> {
  const headers = diagnosticHeaders(exchange.caller.requestId, route, attempts, undefined);
  const ignored = route
    ? ignoredOptions(route.provider.type, exchange.prepared.request, exchange.prepared.generation.mask !== undefined)
    : [];
  if (ignored.length > 0) headers['x-gateway-ignored-options'] = ignored.join(', ');
  return headers;
}
