import { UpstreamError } from '../../errors/upstream-error.js';
import type { LiftedString } from '../../lib/json/json-lifted-string.js';
import type { GenerationEvent, GenerationSignal, GenerationUsage } from '../../provider.js';
import { addUsage } from '../shared/generation-usage.js';
import { type OpenAIErrorContext, openAIErrorFromEvent } from '../shared/openai-error.js';
import { parseEventObject, readServerSentEventsWith } from '../shared/sse-events.js';
import type { UpstreamResponse } from '../shared/upstream-http.js';
import { hasB64Json, imageFromB64Json, newImagesEventReader } from './openai-images-lifted.js';
import { formatToMediaType, type ImagesUsage, usageFromImages } from './openai-images-response.js';

/** The fields of `image_generation.*` / `image_edit.*` events we read. */
interface ImagesStreamEvent {
  type?: string;
  b64_json?: string | LiftedString;
  partial_image_index?: number;
  output_format?: string;
  usage?: ImagesUsage;
}

/**
 * Reads an Images API event stream (`event:` + `data:` lines): partial
 * images become `image-partial`, each `*.completed` an `image`; the summed
 * usage is returned. The SDK discriminates on `data.type`, so do we; a
 * `data: [DONE]` some relays append ends the stream early.
 */
export async function* readImagesStream(
  response: UpstreamResponse,
  signal: GenerationSignal,
  context: OpenAIErrorContext,
): AsyncGenerator<GenerationEvent, GenerationUsage | undefined> {
  let usage: GenerationUsage | undefined;
  let completed = 0;
  for await (const message of readServerSentEventsWith(response, signal, newImagesEventReader, context)) {
    if (message.data.text === '[DONE]') break;
    const event = parseEventObject<ImagesStreamEvent>(message.data, context, 'the image stream sent an event');
    const error = openAIErrorFromEvent(event, context);
    if (error) throw error;
    const type = event.type ?? message.event ?? '';
    if (!hasB64Json(event.b64_json)) continue;
    const image = imageFromB64Json(event.b64_json, formatToMediaType(event.output_format));
    if (type.endsWith('.partial_image')) {
      yield { type: 'image-partial', image, index: event.partial_image_index ?? 0 };
    } else if (type.endsWith('.completed')) {
      yield { type: 'image', image };
      usage = addUsage(usage, usageFromImages(event.usage));
      completed += 1;
    }
  }
  if (completed === 0) {
    throw new UpstreamError({
      provider: context.provider,
      kind: 'server',
      status: 200,
      message: 'the image stream ended before an image was completed',
      url: context.url,
    });
  }
  return usage;
}
