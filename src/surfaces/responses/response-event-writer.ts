import type { GatewayError } from '../../errors/gateway-error.js';
import type { ImageData } from '../../images/image-data.js';
import { base64Pieces } from '../../images/image-json-pieces.js';
import type { Piece } from '../../lib/body-pieces.js';
import { PayloadSlots } from '../../lib/json/json-payload-slots.js';
import type { GenerationEvent, GenerationUsage } from '../../provider.js';
import type { SseWriter } from '../../server/event-stream.js';
import { outputImageFacts } from '../shared/output-image.js';
import type { StreamedOutput } from '../shared/run-generation.js';
import type { PreparedResponse } from './prepare-response.js';
import { imageCallItem, messageItem, newItemId, outputTextPart, type ResponseIdentity, responseObject } from './response-object.js';

/**
 * Writes a Responses API stream as OpenAI does: `response.created`,
 * `response.in_progress`, then per image an `image_generation_call` item
 * (`output_item.added`, `image_generation_call.in_progress` / `.generating`
 * / `.partial_image` / `.completed`, `output_item.done`), the text as a
 * `message` item (`content_part.added`, `output_text.delta`…, `.done`), and
 * `response.completed` with the whole response; every event named on an
 * `event:` line and numbered by `sequence_number`, with no `[DONE]`.
 */
export class ResponseEventWriter implements StreamedOutput {
  readonly #writer: SseWriter;
  readonly #identity: ResponseIdentity;
  readonly #prepared: PreparedResponse;
  /** Puts a provider's image in the tool's output format. */
  readonly #convert: (image: ImageData) => Promise<ImageData>;
  #sequence = 0;
  #sent = false;
  /** Finished output items, for the final response; images as their stand-ins in `#slots`. */
  readonly #output: Record<string, unknown>[] = [];
  #slots = new PayloadSlots();
  /** The image call being generated: opened by its first partial image or by the image itself. */
  #imageCall: { id: string; outputIndex: number; partials: number } | undefined;
  #message: { id: string; outputIndex: number; text: string } | undefined;
  #images = 0;

  constructor(
    writer: SseWriter,
    identity: ResponseIdentity,
    prepared: PreparedResponse,
    convert: (image: ImageData) => Promise<ImageData>,
  ) {
    this.#writer = writer;
    this.#identity = identity;
    this.#prepared = prepared;
    this.#convert = convert;
  }

  async event(event: GenerationEvent): Promise<void> {
    if (event.type === 'text-delta') this.text(event.text);
    else if (event.type === 'image-partial') this.partial(event.image);
    else if (event.type === 'image') this.image(await this.#convert(event.image));
  }

  /** True once anything beyond the opening events reached the client (no silent fallback after that). */
  get contentSent(): boolean {
    return this.#sent;
  }

  get imageCount(): number {
    return this.#images;
  }

  started(): void {
    this.#prepared.lifecycle.started();
  }

  start(): void {
    const response = this.#response('in_progress', [], null, null);
    this.#event('response.created', { response });
    this.#event('response.in_progress', { response });
  }

  partial(image: ImageData): void {
    const call = this.#openImageCall();
    if (call.partials >= (this.#prepared.tool?.partial_images ?? 0)) return;
    this.#event(
      'response.image_generation_call.partial_image',
      { output_index: call.outputIndex, item_id: call.id, partial_image_index: call.partials, partial_image_b64: this.#slot(image) },
      image,
    );
    call.partials += 1;
  }

  /** An image in its output format. */
  image(image: ImageData): void {
    const call = this.#openImageCall();
    this.#imageCall = undefined;
    this.#images += 1;
    this.#event('response.image_generation_call.completed', { output_index: call.outputIndex, item_id: call.id });
    const item = imageCallItem(call.id, this.#slot(image), outputImageFacts(image), this.#prepared.tool);
    this.#event('response.output_item.done', { output_index: call.outputIndex, item }, image);
    this.#output[call.outputIndex] = imageCallItem(
      call.id,
      this.#slots.slot(base64Pieces(image)),
      outputImageFacts(image),
      this.#prepared.tool,
    );
  }

  text(delta: string): void {
    if (delta === '') return;
    let message = this.#message;
    if (!message) {
      message = { id: newItemId('msg'), outputIndex: this.#nextOutputIndex(), text: '' };
      this.#message = message;
      this.#event('response.output_item.added', { output_index: message.outputIndex, item: messageItem(message.id, '', 'in_progress') });
      this.#event('response.content_part.added', {
        item_id: message.id,
        output_index: message.outputIndex,
        content_index: 0,
        part: outputTextPart(''),
      });
    }
    message.text += delta;
    this.#event('response.output_text.delta', {
      item_id: message.id,
      output_index: message.outputIndex,
      content_index: 0,
      delta,
      logprobs: [],
    });
  }

  /** Closes the message, then `response.completed` with the whole response. */
  finish(usage: GenerationUsage | undefined): undefined {
    if (!this.#message && this.#images === 0) this.text(' ');
    const message = this.#message;
    if (message) {
      this.#event('response.output_text.done', {
        item_id: message.id,
        output_index: message.outputIndex,
        content_index: 0,
        text: message.text,
        logprobs: [],
      });
      this.#event('response.content_part.done', {
        item_id: message.id,
        output_index: message.outputIndex,
        content_index: 0,
        part: outputTextPart(message.text),
      });
      const item = messageItem(message.id, message.text, 'completed');
      this.#event('response.output_item.done', { output_index: message.outputIndex, item });
      this.#output[message.outputIndex] = item;
    }
    const response = this.#response('completed', this.#output.filter(Boolean), usage, null);
    const pieces = this.#slots.stringify({ type: 'response.completed', sequence_number: this.#sequence++, response });
    this.#writeRaw('response.completed', pieces);
    this.#writer.end();
  }

  /** A failure after the stream opened: `response.failed`, then an `error` event, never a silent close. */
  fail(error: GatewayError): void {
    this.#event('response.failed', { response: this.#response('failed', [], null, error) });
    this.#event('error', { code: error.code, message: error.message, param: error.param });
    this.#writer.end();
  }

  #openImageCall(): { id: string; outputIndex: number; partials: number } {
    if (this.#imageCall) return this.#imageCall;
    const call = { id: newItemId('ig'), outputIndex: this.#nextOutputIndex(), partials: 0 };
    this.#imageCall = call;
    this.#event('response.output_item.added', {
      output_index: call.outputIndex,
      item: { type: 'image_generation_call', id: call.id, status: 'in_progress' },
    });
    this.#event('response.image_generation_call.in_progress', { output_index: call.outputIndex, item_id: call.id });
    this.#event('response.image_generation_call.generating', { output_index: call.outputIndex, item_id: call.id });
    return call;
  }

  #nextOutputIndex(): number {
    // Slots are taken in the order items open; a held index keeps its place in the final output.
    const index = this.#output.length;
    this.#output.length = index + 1;
    return index;
  }

  #response(
    status: 'in_progress' | 'completed' | 'failed',
    output: readonly unknown[],
    usage: GenerationUsage | undefined | null,
    error: GatewayError | null,
  ) {
    return responseObject(this.#identity, this.#prepared.request, status, output, usage, this.#prepared.promptEstimate, error);
  }

  /** A stand-in for an image's base64 in the next event (see `#event`). */
  #slot(image: ImageData): string {
    this.#pendingImage = image;
    return pendingImagePlaceholder;
  }

  #pendingImage: ImageData | undefined;

  #event(type: string, fields: Record<string, unknown>, image?: ImageData): void {
    if (type !== 'response.created' && type !== 'response.in_progress') this.#sent = true;
    const payload: Record<string, unknown> = { type, sequence_number: this.#sequence++ };
    for (const key in fields) payload[key] = fields[key];
    const json = JSON.stringify(payload);
    if (image && this.#pendingImage) {
      this.#pendingImage = undefined;
      this.#writer.dataWithPayload(json, serialisedPlaceholder, base64Pieces(image), type);
    } else this.#writer.data(json, type);
  }

  #writeRaw(type: string, pieces: readonly Piece[]): void {
    const [first, ...rest] = pieces;
    if (rest.length === 0 && typeof first === 'string') this.#writer.data(first, type);
    else {
      // Payload text goes out as single bytes: the JSON around the images (model text) is made UTF-8 bytes first.
      const bytes = pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece));
      this.#writer.dataWithPayload(rawPlaceholder, rawPlaceholder, bytes, type);
    }
  }
}

/** Stands for an image's base64 in one event; a NUL, which JSON text always escapes, cannot come from elsewhere in it. */
const pendingImagePlaceholder = '\u0000image\u0000';
const serialisedPlaceholder = JSON.stringify(pendingImagePlaceholder).slice(1, -1);
/** The whole event text as payload pieces: a JSON that is nothing but its placeholder. */
const rawPlaceholder = '\u0000whole\u0000';
