import type { GatewayError } from '../../errors/gateway-error.js';
import { dataUrlPieces } from '../../images/image-json-pieces.js';
import type { Piece } from '../../lib/body-pieces.js';
import type { FinishReason, GenerationEvent, GenerationUsage } from '../../provider.js';
import { errorBody } from '../../server/error-answer.js';
import type { SseWriter } from '../../server/event-stream.js';
import type { CompletionIdentity } from './completion-ids.js';
import type { ImagePlacement } from './image-placement.js';
import { toOpenAIUsage } from './openai-usage.js';
import { splitPieces } from './split-pieces.js';

type Delta = Record<string, unknown>;

/** Stands for an image's data URL in a chunk; a NUL, which JSON text always escapes, cannot come from elsewhere in an image chunk. */
const imagePlaceholder = '\u0000image\u0000';
/** The placeholder as it reads in the serialised JSON. */
const serialisedPlaceholder = JSON.stringify(imagePlaceholder).slice(1, -1);

/**
 * Text held back while an image is awaited, at most, in UTF-16 code units
 * (64 Ki units: 64 to 192 KiB of UTF-8): a model that writes more than this
 * is not waiting to draw.
 */
const heldTextLimit = 64 * 1024;

/**
 * Turns provider events into `chat.completion.chunk` events. The last image
 * chunk is held back one step so that, when the finish follows it, both go
 * out as one chunk — the shape seed 000 shows (`content` image with
 * `finish_reason: "stop"`). When the request needs an image
 * (`holdTextUntilImage`), the model's text waits (up to 64 KiB) until the
 * first image comes and then goes out before it: an attempt that ends with
 * text only (NO_IMAGE) or breaks has then sent nothing, and the request can
 * still fall back to another instance. Anything else that goes out (a tool
 * call, reasoning, a partial image) sends the held text first: once
 * something was sent there is no fallback, and the order must be the model's.
 */
export class ChunkWriter {
  #pending: { delta: Delta; payload?: readonly Piece[] } | undefined;
  #imageIndex = 0;
  #contentSent = false;
  #finish: FinishReason = 'stop';
  #sawToolCall = false;
  #usage: GenerationUsage | undefined;
  #imageCount = 0;
  /** Text waiting for the attempt's first image; undefined once text flows as it comes. */
  #heldText: string | undefined;
  /** Inline images are split so no line is longer than this (undefined: one chunk per image). */
  readonly #maxLineBytes: number | undefined;

  constructor(
    readonly writer: SseWriter,
    readonly identity: CompletionIdentity,
    readonly placement: ImagePlacement,
    holdTextUntilImage = false,
    maxLineBytes?: number,
  ) {
    this.#heldText = holdTextUntilImage ? '' : undefined;
    this.#maxLineBytes = maxLineBytes;
  }

  /** A new attempt starts: text held from a failed one is dropped, never shown beside another instance's answer. */
  newAttempt(): void {
    if (this.#heldText !== undefined) this.#heldText = '';
  }

  /** True once anything beyond the role chunk and heartbeats reached the client (no silent fallback after that). */
  get contentSent(): boolean {
    return this.#contentSent;
  }

  get usage(): GenerationUsage | undefined {
    return this.#usage;
  }

  get imageCount(): number {
    return this.#imageCount;
  }

  role(): void {
    this.#write({ role: 'assistant', content: '' }, null);
  }

  /** Images in `event` must already be in their output encoding. */
  event(event: GenerationEvent): void {
    switch (event.type) {
      case 'text-delta':
        if (!event.text) break;
        if (this.#heldText === undefined) this.#send({ content: event.text });
        else {
          this.#heldText += event.text;
          if (this.#heldText.length > heldTextLimit) this.#releaseHeldText();
        }
        break;
      case 'reasoning-delta':
        if (event.text) this.#send({ reasoning_content: event.text });
        break;
      case 'image-partial':
        this.#send({ reasoning_content: `Partial image ${event.index + 1} received.\n` });
        break;
      case 'image':
        if (this.#maxLineBytes === undefined) this.#image(imagePlaceholder, dataUrlPieces(event.image));
        else this.#splitImage(dataUrlPieces(event.image), this.#maxLineBytes);
        break;
      case 'tool-call-delta': {
        this.#sawToolCall = true;
        const call: Delta = { index: event.index };
        if (event.id) call.id = event.id;
        if (event.id || event.name) call.type = 'function';
        const fn: Delta = {};
        if (event.name) fn.name = event.name;
        if (event.arguments !== undefined) fn.arguments = event.arguments;
        call.function = fn;
        this.#send({ tool_calls: [call] });
        break;
      }
      case 'usage':
        this.#usage = event.usage;
        break;
      case 'finish':
        this.#finish = event.reason;
        break;
    }
  }

  /** An image stored as a hosted file (URL delivery): its URL where the data URL would go. */
  hostedImage(url: string): void {
    this.#image(url);
  }

  /** The final chunk (merged with a held-back image chunk), the usage chunk when asked, then `[DONE]`. */
  finish(includeUsage: boolean, promptEstimate: number): void {
    this.#releaseHeldText();
    const reason = this.#sawToolCall && this.#finish === 'stop' ? 'tool_calls' : this.#finish;
    const last = this.#pending ?? { delta: {} };
    this.#pending = undefined;
    this.#write(last.delta, reason, last.payload);
    if (includeUsage) {
      this.writer.data(
        JSON.stringify({
          id: this.identity.id,
          object: 'chat.completion.chunk',
          created: this.identity.created,
          model: this.identity.model,
          choices: [],
          usage: toOpenAIUsage(this.#usage, promptEstimate),
        }),
      );
    }
    this.writer.finish();
  }

  /** A failure after the stream started: an error event, then `[DONE]`, never a silent close. */
  fail(error: GatewayError): void {
    this.#flush();
    this.writer.data(errorBody(error));
    this.writer.finish();
  }

  /** An image chunk; with `payload`, `url` is the placeholder its pieces are written in place of. */
  #image(url: string, payload?: readonly Piece[]): void {
    const delta: Delta = {};
    if (this.placement !== 'images') delta.content = `${this.#imageIndex > 0 ? '\n\n' : ''}![generated](${url})`;
    if (this.placement !== 'markdown') delta.images = [{ type: 'image_url', image_url: { url }, index: this.#imageIndex }];
    this.#imageIndex += 1;
    this.#imageCount += 1;
    this.#releaseHeldText();
    this.#flush();
    this.#pending = { delta, payload };
    this.#contentSent = true;
  }

  /**
   * An image's markdown split over several `delta.content` chunks, none of
   * whose lines is longer than `maxLineBytes` (`images.maxSseLineBytes`).
   * Only in `content`, whatever the placement: a `delta.images` entry cannot
   * be split, and clients concatenate content deltas as they come.
   */
  #splitImage(dataUrl: readonly Piece[], maxLineBytes: number): void {
    this.#send({ content: `${this.#imageIndex > 0 ? '\n\n' : ''}![generated](` });
    this.#imageIndex += 1;
    this.#imageCount += 1;
    // The chunk's JSON around its content, the "data: " before it and the line break after, with room to spare.
    const envelope = Buffer.byteLength(this.#chunkJson({ content: '' }, null)) + 'data: \n'.length + 64;
    for (const run of splitPieces(dataUrl, Math.max(1024, maxLineBytes - envelope))) {
      this.#write({ content: imagePlaceholder }, null, run);
    }
    // The closing bracket is held back like a whole image chunk, to go out with the finish.
    this.#pending = { delta: { content: ')' } };
  }

  /** Sends the held text (if any) and lets later text flow as it comes. */
  #releaseHeldText(): void {
    const held = this.#heldText;
    if (held === undefined) return;
    this.#heldText = undefined;
    if (held) this.#send({ content: held });
  }

  #send(delta: Delta): void {
    this.#releaseHeldText();
    this.#flush();
    this.#contentSent = true;
    this.#write(delta, null);
  }

  #flush(): void {
    if (!this.#pending) return;
    const pending = this.#pending;
    this.#pending = undefined;
    this.#write(pending.delta, null, pending.payload);
  }

  #write(delta: Delta, finishReason: FinishReason | 'tool_calls' | null, payload?: readonly Piece[]): void {
    const json = this.#chunkJson(delta, finishReason);
    if (payload) this.writer.dataWithPayload(json, serialisedPlaceholder, payload);
    else this.writer.data(json);
  }

  #chunkJson(delta: Delta, finishReason: FinishReason | 'tool_calls' | null): string {
    return JSON.stringify({
      id: this.identity.id,
      object: 'chat.completion.chunk',
      created: this.identity.created,
      model: this.identity.model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    });
  }
}
