import type { ImageDownloadOptions } from '../openai/openai-image-download.js';
import type { GenerationEvent } from '../provider-types.js';
import {
  type ChatUsage,
  contentEvents,
  finishReasonFrom,
  imageEntryEvents,
  messageContentEvents,
  reasoningOf,
  toolCallEvents,
  usageFromChat,
} from './openai-chat-events.js';
import { MarkdownImageScanner } from './openai-chat-markdown-images.js';

/** The fields of a `chat.completion` we read. */
export interface ChatCompletionBody {
  choices?: Array<{
    message?: {
      content?: unknown;
      refusal?: string | null;
      reasoning_content?: unknown;
      reasoning?: unknown;
      images?: unknown;
      tool_calls?: unknown;
    };
    finish_reason?: string | null;
  }>;
  usage?: ChatUsage | null;
}

/**
 * The events of a non-streaming relay answer: reasoning, then the content
 * with its markdown images taken out, then `message.images`, tool calls,
 * usage and the finish reason.
 */
export async function* readChatCompletion(body: ChatCompletionBody, download: ImageDownloadOptions): AsyncGenerator<GenerationEvent> {
  const choice = body.choices?.[0];
  const message = choice?.message ?? {};
  const reasoning = reasoningOf(message);
  if (reasoning) yield { type: 'reasoning-delta', text: reasoning };
  const scanner = new MarkdownImageScanner();
  yield* messageContentEvents(message.content, scanner, download);
  yield* contentEvents(scanner.flush(), download);
  if (message.refusal) yield { type: 'text-delta', text: message.refusal };
  yield* imageEntryEvents(message.images, download);
  yield* toolCallEvents(message.tool_calls);
  const usage = usageFromChat(body.usage);
  if (usage) yield { type: 'usage', usage };
  yield { type: 'finish', reason: finishReasonFrom(choice?.finish_reason) };
}
