import type { ImageData } from '../../images/image-data.js';
import { dataUrlPieces } from '../../images/image-json-pieces.js';
import type { Piece } from '../../lib/body-pieces.js';
import { PayloadSlots } from '../../lib/json/json-payload-slots.js';
import type { FinishReason, GenerationEvent, GenerationUsage } from '../../provider.js';
import type { CompletionIdentity } from './completion-ids.js';
import { type ImagePlacement, imageEntry, markdownImage } from './image-placement.js';
import { toOpenAIUsage } from './openai-usage.js';

/** Images up to this size (decoded) go into the JSON as strings; bigger ones as pieces that are never copied. */
const inlineImageBytes = 48 * 1024;

interface ToolCall {
  id?: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** Collects provider events into one `chat.completion` (the non-stream answer). */
export class CompletionBuilder {
  #text = '';
  #reasoning = '';
  readonly #images: ImageData[] = [];
  readonly #toolCalls: ToolCall[] = [];
  #usage: GenerationUsage | undefined;
  #finish: FinishReason = 'stop';

  constructor(readonly placement: ImagePlacement) {}

  /** Images in `event` must already be in their output encoding. */
  add(event: GenerationEvent): void {
    switch (event.type) {
      case 'text-delta':
        this.#text += event.text;
        break;
      case 'reasoning-delta':
        this.#reasoning += event.text;
        break;
      case 'image':
        this.#images.push(event.image);
        break;
      case 'tool-call-delta': {
        const call = this.#toolCalls[event.index] ?? { type: 'function', function: { name: '', arguments: '' } };
        this.#toolCalls[event.index] = call;
        if (event.id) call.id = event.id;
        if (event.name) call.function.name += event.name;
        if (event.arguments) call.function.arguments += event.arguments;
        break;
      }
      case 'usage':
        this.#usage = event.usage;
        break;
      case 'finish':
        this.#finish = event.reason;
        break;
      // Partial images are progress; the final image supersedes them.
      case 'image-partial':
        break;
    }
  }

  get imageCount(): number {
    return this.#images.length;
  }

  get usage(): GenerationUsage | undefined {
    return this.#usage;
  }

  /** The `chat.completion` JSON as one string; `toBodyPieces` avoids copying big images into it. */
  toJSON(identity: CompletionIdentity, promptEstimate: number): string {
    const decoder = new TextDecoder();
    return this.toBodyPieces(identity, promptEstimate)
      .map((piece) => (typeof piece === 'string' ? piece : decoder.decode(piece)))
      .join('');
  }

  /**
   * The `chat.completion` JSON in pieces: the text around each image, and
   * each image's data URL as the pieces it is held in, so a 15 MB image is
   * neither serialised nor copied on its way to the socket.
   */
  toBodyPieces(identity: CompletionIdentity, promptEstimate: number): Piece[] {
    // Small images cost less as strings in one JSON.stringify than as slots spliced in afterwards.
    if (this.#images.every((image) => image.byteLength <= inlineImageBytes)) {
      return [
        JSON.stringify(
          this.#completion(
            identity,
            promptEstimate,
            this.#images.map((image) => image.dataUrl()),
          ),
        ),
      ];
    }
    const slots = new PayloadSlots();
    const urls = this.#images.map((image) => slots.slot(dataUrlPieces(image)));
    return slots.stringify(this.#completion(identity, promptEstimate, urls));
  }

  #completion(identity: CompletionIdentity, promptEstimate: number, urls: readonly string[]): Record<string, unknown> {
    const message: Record<string, unknown> = { role: 'assistant', content: this.#content(urls) };
    if (this.#reasoning) message.reasoning_content = this.#reasoning;
    if (this.placement !== 'markdown' && urls.length > 0) message.images = urls.map(imageEntry);
    const toolCalls = this.#toolCalls.filter(Boolean);
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    return {
      id: identity.id,
      object: 'chat.completion',
      created: identity.created,
      model: identity.model,
      choices: [{ index: 0, message, finish_reason: toolCalls.length > 0 && this.#finish === 'stop' ? 'tool_calls' : this.#finish }],
      usage: toOpenAIUsage(this.#usage, promptEstimate),
    };
  }

  #content(urls: readonly string[]): string | null {
    const markdown = this.placement === 'images' ? [] : urls.map(markdownImage);
    const text = this.#text;
    const hasText = text.trim() !== '';
    // The model's text as it wrote it, leading "\n\n" and all (seed 001), as a stream passes it on.
    if (markdown.length === 0) return hasText ? text : this.#toolCalls.length > 0 ? null : '';
    return (hasText ? [text.trimEnd(), ...markdown] : markdown).join('\n\n');
  }
}
