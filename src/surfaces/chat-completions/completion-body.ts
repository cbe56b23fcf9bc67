import type { GenerationAccumulator } from '../../generation/generation-accumulator.js';
import { dataUrlPieces } from '../../images/image-json-pieces.js';
import type { Piece } from '../../lib/body-pieces.js';
import { PayloadSlots } from '../../lib/json/json-payload-slots.js';
import type { CompletionIdentity } from './completion-ids.js';
import { type ImagePlacement, imageEntry, markdownImage } from './image-placement.js';
import { toOpenAIUsage } from './openai-usage.js';

/** Images up to this size (decoded) go into the JSON as strings; bigger ones as pieces that are never copied. */
const inlineImageBytes = 48 * 1024;

/**
 * The `chat.completion` of a generation's result, in pieces: the text
 * around each image, and each image's data URL as the pieces it is held in,
 * so a 15 MB image is neither serialised nor copied on its way to the
 * socket. Small images cost less as strings in one JSON.stringify than as
 * slots spliced in afterwards. With `hostedUrls` (URL delivery), those
 * stand where the data URLs would.
 *
 * @example
 * const body = completionBody(result, newCompletionIdentity('auto', Date.now()), 'markdown', 12);
 */
export function completionBody(
  result: GenerationAccumulator,
  identity: CompletionIdentity,
  placement: ImagePlacement,
  promptEstimate: number,
  hostedUrls?: readonly string[],
): Piece[] {
  // URL delivery: the images are links, a few bytes each.
  if (hostedUrls) return [JSON.stringify(completion(result, identity, placement, promptEstimate, hostedUrls))];
  if (result.images.every((image) => image.byteLength <= inlineImageBytes)) {
    const urls = result.images.map((image) => image.dataUrl());
    return [JSON.stringify(completion(result, identity, placement, promptEstimate, urls))];
  }
  const slots = new PayloadSlots();
  const urls = result.images.map((image) => slots.slot(dataUrlPieces(image)));
  return slots.stringify(completion(result, identity, placement, promptEstimate, urls));
}

function completion(
  result: GenerationAccumulator,
  identity: CompletionIdentity,
  placement: ImagePlacement,
  promptEstimate: number,
  urls: readonly string[],
): Record<string, unknown> {
  const toolCalls = result.toolCalls;
  const message: Record<string, unknown> = { role: 'assistant', content: content(result, placement, urls, toolCalls.length > 0) };
  if (result.reasoning) message.reasoning_content = result.reasoning;
  if (placement !== 'markdown' && urls.length > 0) message.images = urls.map(imageEntry);
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message, finish_reason: toolCalls.length > 0 && result.finish === 'stop' ? 'tool_calls' : result.finish }],
    usage: toOpenAIUsage(result.usage, promptEstimate),
  };
}

function content(result: GenerationAccumulator, placement: ImagePlacement, urls: readonly string[], hasToolCalls: boolean): string | null {
  const markdown = placement === 'images' ? [] : urls.map(markdownImage);
  const text = result.text;
  const hasText = text.trim() !== '';
  // The model's text as it wrote it, leading "\n\n" and all (seed 001), as a stream passes it on.
  if (markdown.length === 0) return hasText ? text : hasToolCalls ? null : '';
  return (hasText ? [text.trimEnd(), ...markdown] : markdown).join('\n\n');
}
