import type { ImageData } from '../../images/image-data.js';
import { base64Pieces } from '../../images/image-json-pieces.js';
import type { Piece } from '../../lib/body-pieces.js';
import { PayloadSlots } from '../../lib/json/json-payload-slots.js';
import type { GenerationUsage } from '../../provider.js';
import { outputImageFacts } from '../shared/output-image.js';
import type { ImagesRequest } from './images-request-schema.js';
import { imagesUsage } from './images-usage.js';

/** Images up to this size (decoded) go into the JSON as strings; bigger ones as pieces that are never copied. */
const inlineImageBytes = 48 * 1024;

/**
 * The Images API answer, as OpenAI writes it for GPT image models:
 * `{created, background?, output_format, quality?, size, data: [{b64_json} | {url}], usage}`,
 * with the format and size read from the first image itself. Each image's
 * base64 goes out as the pieces it is held in, never copied into the JSON text.
 *
 * @example
 * const body = imagesResponseBody(images, request, usage, 12, Date.now());
 */
export function imagesResponseBody(
  images: readonly ImageData[],
  request: ImagesRequest,
  usage: GenerationUsage | undefined,
  promptEstimate: number,
  now: number,
  hostedUrls?: readonly string[],
): Piece[] {
  const facts = images[0] ? outputImageFacts(images[0]) : undefined;
  const answer: Record<string, unknown> = { created: Math.floor(now / 1000) };
  if (request.background) answer.background = request.background;
  if (facts) answer.output_format = facts.format;
  if (request.quality) answer.quality = request.quality;
  if (facts?.size) answer.size = facts.size;
  if (hostedUrls) {
    // response_format "url": links to the hosted files, a few bytes each.
    answer.data = hostedUrls.map((url) => ({ url }));
    answer.usage = imagesUsage(usage, promptEstimate);
    return [JSON.stringify(answer)];
  }
  if (images.every((image) => image.byteLength <= inlineImageBytes)) {
    answer.data = images.map((image) => ({ b64_json: image.base64() }));
    answer.usage = imagesUsage(usage, promptEstimate);
    return [JSON.stringify(answer)];
  }
  const slots = new PayloadSlots();
  answer.data = images.map((image) => ({ b64_json: slots.slot(base64Pieces(image)) }));
  answer.usage = imagesUsage(usage, promptEstimate);
  return slots.stringify(answer);
}
