import { ImageData } from '../../images/image-data.js';
import type { LiftedString } from '../../lib/json/json-lifted-string.js';
import { TextWithLifts } from '../../lib/json/json-text-with-lifts.js';
import type { FinishReason, GenerationEvent, GenerationUsage } from '../../provider.js';
import { promptDetails } from '../shared/generation-usage.js';
import { type ImageDownloadOptions, imageFromDataUrl, imageFromUrl, rasterMediaTypeOfBase64 } from '../shared/upstream-images.js';
import { imageUrlOf } from './openai-chat-lifted-images.js';
import type { ContentSegment, MarkdownImageScanner } from './openai-chat-markdown-images.js';

/** An entry of `message.images` / `delta.images` as relays send it (OpenRouter, Vercel, new-api); big URLs arrive lifted. */
export interface ChatImageEntry {
  type?: string;
  image_url?: { url?: string | LiftedString } | string | LiftedString;
  url?: string | LiftedString;
}

/** The fields of a relay's message (`chat.completion`) or delta (a chunk) we read. */
export interface ChatMessageFields {
  content?: unknown;
  refusal?: string | null;
  reasoning_content?: unknown;
  reasoning?: unknown;
  images?: unknown;
  tool_calls?: unknown;
}

export interface ChatToolCall {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

export interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  completion_tokens_details?: { reasoning_tokens?: number; image_tokens?: number } | null;
  prompt_tokens_details?: { text_tokens?: number; image_tokens?: number; cached_tokens?: number } | null;
}

/**
 * An event, or a step that makes one when its turn comes (an image to
 * download). Readers build a message's events as a plain list and run the
 * steps in order, so events keep the upstream's order and timing; nested
 * async generators cost a few promises per event at every level.
 */
export type ChatEventStep = GenerationEvent | (() => Promise<GenerationEvent>);

/** Text and markdown images of some content, in order; images are downloaded when they are https URLs. */
export function contentSteps(segments: readonly ContentSegment[], download: ImageDownloadOptions): ChatEventStep[] {
  return segments.map((segment) =>
    segment.type === 'text' ? { type: 'text-delta', text: segment.text } : imageStep(segment.url, download),
  );
}

/** Content that is a string, or (some relays) an array of `text` / `image_url` parts. */
export function messageContentSteps(content: unknown, scanner: MarkdownImageScanner, download: ImageDownloadOptions): ChatEventStep[] {
  if (typeof content === 'string' || content instanceof TextWithLifts) {
    return content === '' ? [] : contentSteps(scanner.push(content), download);
  }
  if (!Array.isArray(content)) return [];
  const steps: ChatEventStep[] = [];
  for (const part of content as Array<{ type?: string; text?: string } & ChatImageEntry>) {
    if (part.type === 'text' && typeof part.text === 'string') steps.push(...contentSteps(scanner.push(part.text), download));
    else steps.push(...imageEntrySteps([part], download));
  }
  return steps;
}

export function imageEntrySteps(entries: unknown, download: ImageDownloadOptions): ChatEventStep[] {
  if (!Array.isArray(entries)) return [];
  const steps: ChatEventStep[] = [];
  for (const entry of entries as ChatImageEntry[]) {
    const url = typeof entry === 'object' && entry !== null ? imageUrlOf(entry) : undefined;
    if (url) steps.push(imageStep(url, download));
  }
  return steps;
}

export function toolCallEvents(toolCalls: unknown): GenerationEvent[] {
  if (!Array.isArray(toolCalls)) return [];
  return (toolCalls as ChatToolCall[]).map((call, position) => {
    const event: GenerationEvent & { type: 'tool-call-delta' } = { type: 'tool-call-delta', index: call.index ?? position };
    if (call.id) event.id = call.id;
    if (call.function?.name) event.name = call.function.name;
    if (typeof call.function?.arguments === 'string') event.arguments = call.function.arguments;
    return event;
  });
}

export function usageFromChat(usage: ChatUsage | null | undefined): GenerationUsage | undefined {
  if (!usage || typeof usage.prompt_tokens !== 'number') return undefined;
  const result: GenerationUsage = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens ?? 0 };
  if (typeof usage.total_tokens === 'number') result.totalTokens = usage.total_tokens;
  const details = usage.completion_tokens_details;
  if (typeof details?.image_tokens === 'number') result.imageTokens = details.image_tokens;
  if (typeof details?.reasoning_tokens === 'number') result.reasoningTokens = details.reasoning_tokens;
  const prompt = usage.prompt_tokens_details;
  return { ...result, ...promptDetails(prompt?.text_tokens, prompt?.image_tokens, prompt?.cached_tokens) };
}

/** OpenAI's finish reasons, plus the safety words of Gemini-backed relays. */
export function finishReasonFrom(value: unknown): FinishReason {
  const reason = typeof value === 'string' ? value.toLowerCase() : 'stop';
  if (reason === 'length' || reason === 'max_tokens') return 'length';
  if (reason === 'tool_calls' || reason === 'function_call') return 'tool_calls';
  if (reason === 'content_filter' || reason.includes('safety') || reason.includes('prohibited')) return 'content_filter';
  return 'stop';
}

/** Reasoning text under either name relays use. */
export function reasoningOf(value: { reasoning_content?: unknown; reasoning?: unknown }): string | undefined {
  const text = value.reasoning_content ?? value.reasoning;
  return typeof text === 'string' && text !== '' ? text : undefined;
}

/** The longest `data:` header we look for the comma in; anything longer takes the string path. */
const maxHeaderLength = 256;

/**
 * The image of a URL, as an event or a step that makes one when its turn
 * comes: a data URL (a lifted base64 one is wrapped as the pieces it arrived
 * in) is read at once, an https URL is downloaded when the step runs. A data
 * URL that is not an image fails when its step runs, after the events
 * before it, as a download would.
 */
function imageStep(url: string | LiftedString, download: ImageDownloadOptions): ChatEventStep {
  const urlOrImage = typeof url === 'string' ? url : liftedBase64Image(url);
  if (urlOrImage instanceof ImageData) return { type: 'image', image: urlOrImage };
  if (!urlOrImage.startsWith('data:')) return async () => ({ type: 'image', image: await imageFromUrl(urlOrImage, download) });
  try {
    return { type: 'image', image: imageFromDataUrl(urlOrImage, download.provider) };
  } catch (error) {
    return () => Promise.reject(error);
  }
}

/** A lifted base64 image data URL as the pieces it arrived in; any other URL as a string. */
function liftedBase64Image(url: LiftedString): ImageData | string {
  const head = url.head(maxHeaderLength);
  const comma = head.indexOf(',');
  if (head.startsWith('data:') && comma !== -1) {
    const header = head.slice(5, comma);
    const payload = url.slice(comma + 1);
    // Judged by its first bytes, as imageFromDataUrl judges a small one; anything else takes that path and is refused there.
    const mediaType = header.endsWith(';base64') ? rasterMediaTypeOfBase64(payload.head(24)) : undefined;
    if (mediaType) return ImageData.fromBase64Pieces(payload.pieces, mediaType);
  }
  return url.toString();
}
