import type { ImageData } from '../../images/image-data.js';
import type { Answer } from '../../server/answer.js';
import { createSseAnswer } from '../../server/event-stream.js';
import { diagnosticHeaders } from '../shared/diagnostic-headers.js';
import { inOutputFormat } from '../shared/output-image.js';
import { runStreamed } from '../shared/run-generation.js';
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
  // A stored response can be cancelled by id (POST /v1/responses/{id}/cancel) while it runs.
  prepared.lifecycle.bind((reason) => deadline.abort(reason));
  return createSseAnswer({
    heartbeatIntervalMs: context.options.heartbeatIntervalMs,
    clientGone: (listener) => exchange.call.clientGone(listener),
    onCancel: (reason) => deadline.abort(reason),
    headers: diagnosticHeaders(caller.requestId, firstRoute, 1, undefined),
    run: (writer) => {
      const convert = (image: ImageData) => inOutputFormat(image, prepared.tool?.output_format, context, deadline.signal);
      const events = new ResponseEventWriter(writer, newResponseIdentity(model, context.now(), prepared.responseId), prepared, convert);
      events.start();
      return runStreamed(exchange, context, writer, prepared.request.model, events);
    },
  });
}
