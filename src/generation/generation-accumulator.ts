import type { ImageData } from '../images/image-data.js';
import type { FinishReason, GenerationEvent, GenerationUsage } from '../provider.js';

/** One tool call, its name and arguments put together from their deltas. */
export interface AccumulatedToolCall {
  id?: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * Gathers a generation's events into its result, for answers given whole
 * (a non-stream `chat.completion`, an Images API answer): the text and
 * reasoning as written, the images in order, tool calls by index, the
 * usage and the finish reason. Partial images are progress; the final
 * image supersedes them. Images must already be in their output encoding.
 *
 * @example
 * const result = new GenerationAccumulator();
 * await generation.run({ ..., hooks: { onEvent: (event) => result.add(event), ... } });
 * result.images.length;
 */
export class GenerationAccumulator {
  text = '';
  reasoning = '';
  readonly images: ImageData[] = [];
  readonly #toolCalls: AccumulatedToolCall[] = [];
  usage: GenerationUsage | undefined;
  finish: FinishReason = 'stop';

  add(event: GenerationEvent): void {
    switch (event.type) {
      case 'text-delta':
        this.text += event.text;
        break;
      case 'reasoning-delta':
        this.reasoning += event.text;
        break;
      case 'image':
        this.images.push(event.image);
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
        this.usage = event.usage;
        break;
      case 'finish':
        this.finish = event.reason;
        break;
      case 'image-partial':
        break;
    }
  }

  /** The tool calls in index order (a provider may number them with gaps). */
  get toolCalls(): AccumulatedToolCall[] {
    return this.#toolCalls.filter(Boolean);
  }
}
