import type { Answer } from '../../server/answer.js';
import { createSseAnswer } from '../../server/event-stream.js';
import { inOutputFormat } from '../shared/output-image.js';
import { runStreamed } from '../shared/run-generation.js';
import type { SurfaceContext } from '../surface-context.js';
import { ImageEventWriter } from './image-event-writer.js';
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
    run: (writer) => {
      const prefix = prepared.operation === 'edit' ? 'image_edit' : 'image_generation';
      const convert = (image: Parameters<typeof inOutputFormat>[0]) =>
        inOutputFormat(image, prepared.request.output_format, context, deadline.signal);
      const events = new ImageEventWriter(writer, prefix, prepared, convert, context.now());
      return runStreamed(exchange, context, writer, prepared.model, events);
    },
  });
}
