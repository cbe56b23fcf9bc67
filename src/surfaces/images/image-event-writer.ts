import type { GatewayError } from '../../errors/gateway-error.js';
import type { ImageData } from '../../images/image-data.js';
import { base64Pieces } from '../../images/image-json-pieces.js';
import type { GenerationEvent, GenerationUsage } from '../../provider.js';
import { errorBody } from '../../server/error-answer.js';
import type { SseWriter } from '../../server/event-stream.js';
import { outputImageFacts } from '../shared/output-image.js';
import type { StreamedOutput } from '../shared/run-generation.js';
import type { ImagesRequest } from './images-request-schema.js';
import { imagesUsage } from './images-usage.js';
import { noImageError } from './no-image-error.js';

/** Stands for an image's base64 in an event; a NUL, which JSON text always escapes, cannot come from elsewhere in it. */
const imagePlaceholder = '\u0000image\u0000';
const serialisedPlaceholder = JSON.stringify(imagePlaceholder).slice(1, -1);

/**
 * Writes an Images API stream as OpenAI does: `image_generation.partial_image`
 * events (up to the `partial_images` asked for), then one
 * `image_generation.completed` per image, the last with the `usage`
 * (`image_edit.*` for edits); each event named on an `event:` line and in
 * its `type`, and no `[DONE]`. The last image is held back until the
 * generation ends, so that usage can go with it.
 */
export class ImageEventWriter implements StreamedOutput {
  readonly #writer: SseWriter;
  readonly #prefix: 'image_generation' | 'image_edit';
  readonly #request: ImagesRequest;
  readonly #createdAt: number;
  readonly #promptEstimate: number;
  /** Puts a provider's image in the asked output format. */
  readonly #convert: (image: ImageData) => Promise<ImageData>;
  #partials = 0;
  #held: ImageData | undefined;
  #sent = false;
  #images = 0;

  constructor(
    writer: SseWriter,
    prefix: 'image_generation' | 'image_edit',
    prepared: { request: ImagesRequest; promptEstimate: number },
    convert: (image: ImageData) => Promise<ImageData>,
    now: number,
  ) {
    this.#writer = writer;
    this.#prefix = prefix;
    this.#request = prepared.request;
    this.#promptEstimate = prepared.promptEstimate;
    this.#convert = convert;
    this.#createdAt = Math.floor(now / 1000);
  }

  async event(event: GenerationEvent): Promise<void> {
    if (event.type === 'image-partial') this.partial(event.image);
    else if (event.type === 'image') this.image(await this.#convert(event.image));
  }

  /** True once an event reached the client (no silent fallback after that). */
  get contentSent(): boolean {
    return this.#sent || this.#held !== undefined;
  }

  get imageCount(): number {
    return this.#images;
  }

  partial(image: ImageData): void {
    if (this.#partials >= (this.#request.partial_images ?? 0)) return;
    this.#write(`${this.#prefix}.partial_image`, image, { partial_image_index: this.#partials });
    this.#partials += 1;
  }

  /** An image in its output format. */
  image(image: ImageData): void {
    if (this.#held) this.#write(`${this.#prefix}.completed`, this.#held, {});
    this.#held = image;
    this.#images += 1;
  }

  /** The last `completed` event, with the usage; no image at all is NO_IMAGE, as an error event. */
  finish(usage: GenerationUsage | undefined): GatewayError | undefined {
    if (!this.#held) {
      const error = noImageError();
      this.fail(error);
      return error;
    }
    this.#write(`${this.#prefix}.completed`, this.#held, { usage: imagesUsage(usage, this.#promptEstimate) });
    this.#held = undefined;
    this.#writer.end();
    return undefined;
  }

  /** A failure after the stream opened: an `error` event (the SDK raises it as an APIError), never a silent close. */
  fail(error: GatewayError): void {
    this.#writer.data(`{"type":"error",${errorBody(error).slice(1)}`, 'error');
    this.#writer.end();
  }

  #write(type: string, image: ImageData, extra: Record<string, unknown>): void {
    this.#sent = true;
    const facts = outputImageFacts(image);
    const event: Record<string, unknown> = { type, b64_json: imagePlaceholder };
    for (const [key, value] of Object.entries(extra)) if (key !== 'usage') event[key] = value;
    event.created_at = this.#createdAt;
    event.size = facts.size ?? this.#request.size ?? 'auto';
    event.quality = this.#request.quality ?? 'auto';
    event.background = this.#request.background ?? 'auto';
    event.output_format = facts.format;
    if (extra.usage) event.usage = extra.usage;
    this.#writer.dataWithPayload(JSON.stringify(event), serialisedPlaceholder, base64Pieces(image), type);
  }
}
