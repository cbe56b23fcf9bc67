import { errorBody } from '../http/error-response.js';
import type { GatewayError } from '../http/gateway-error.js';
import type { SseWriter } from '../http/sse-response.js';
import type { FinishReason, GenerationEvent, GenerationUsage } from '../providers/provider-types.js';
import type { CompletionIdentity } from './completion-ids.js';
import { type ImagePlacement, imageEntry, markdownImage } from './image-placement.js';
import { toOpenAIUsage } from './output-usage.js';

type Delta = Record<string, unknown>;

/**
 * Turns provider events into `chat.completion.chunk` events. The last image
 * chunk is held back one step so that, when the finish follows it, both go
 * out as one chunk — the shape seed 000 shows (`content` image with
 * `finish_reason: "stop"`).
 */
export class ChunkWriter {
  #pending: Delta | undefined;
  #imageIndex = 0;
  #contentSent = false;
  #finish: FinishReason = 'stop';
  #sawToolCall = false;
  #usage: GenerationUsage | undefined;
  #imageCount = 0;

  constructor(
    readonly writer: SseWriter,
    readonly identity: CompletionIdentity,
    readonly placement: ImagePlacement,
  ) {}

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
        if (event.text) this.#send({ content: event.text });
        break;
      case 'reasoning-delta':
        if (event.text) this.#send({ reasoning_content: event.text });
        break;
      case 'image-partial':
        this.#send({ reasoning_content: `Partial image ${event.index + 1} received.\n` });
        break;
      case 'image': {
        const delta: Delta = {};
        if (this.placement !== 'images') delta.content = `${this.#imageIndex > 0 ? '\n\n' : ''}${markdownImage(event.image)}`;
        if (this.placement !== 'markdown') delta.images = [imageEntry(event.image, this.#imageIndex)];
        this.#imageIndex += 1;
        this.#imageCount += 1;
        this.#flush();
        this.#pending = delta;
        this.#contentSent = true;
        break;
      }
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

  /** The final chunk (merged with a held-back image chunk), the usage chunk when asked, then `[DONE]`. */
  finish(includeUsage: boolean, promptEstimate: number): void {
    const reason = this.#sawToolCall && this.#finish === 'stop' ? 'tool_calls' : this.#finish;
    const last = this.#pending ?? {};
    this.#pending = undefined;
    this.#write(last, reason);
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

  #send(delta: Delta): void {
    this.#flush();
    this.#contentSent = true;
    this.#write(delta, null);
  }

  #flush(): void {
    if (!this.#pending) return;
    const pending = this.#pending;
    this.#pending = undefined;
    this.#write(pending, null);
  }

  #write(delta: Delta, finishReason: FinishReason | 'tool_calls' | null): void {
    this.writer.data(
      JSON.stringify({
        id: this.identity.id,
        object: 'chat.completion.chunk',
        created: this.identity.created,
        model: this.identity.model,
        choices: [{ index: 0, delta, finish_reason: finishReason }],
      }),
    );
  }
}
