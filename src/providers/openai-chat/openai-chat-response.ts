import type { ImageDownloadOptions } from '../shared/upstream-images.js';
import {
  type ChatEventStep,
  type ChatMessageFields,
  type ChatUsage,
  contentSteps,
  finishReasonFrom,
  imageEntrySteps,
  messageContentSteps,
  reasoningOf,
  toolCallEvents,
  usageFromChat,
} from './openai-chat-events.js';
import { MarkdownImageScanner } from './openai-chat-markdown-images.js';

/** The fields of a `chat.completion` we read. */
export interface ChatCompletionBody {
  choices?: Array<{
    message?: ChatMessageFields;
    finish_reason?: string | null;
  }>;
  usage?: ChatUsage | null;
}

/**
 * The events of a non-streaming relay answer: reasoning, then the content
 * with its markdown images taken out, then `message.images`, tool calls,
 * usage and the finish reason. Images to download are steps run in turn.
 */
export function chatCompletionSteps(body: ChatCompletionBody, download: ImageDownloadOptions): ChatEventStep[] {
  const choice = body.choices?.[0];
  const message = choice?.message ?? {};
  const steps: ChatEventStep[] = [];
  const reasoning = reasoningOf(message);
  if (reasoning) steps.push({ type: 'reasoning-delta', text: reasoning });
  const scanner = new MarkdownImageScanner();
  steps.push(...messageContentSteps(message.content, scanner, download), ...contentSteps(scanner.flush(), download));
  if (message.refusal) steps.push({ type: 'text-delta', text: message.refusal });
  steps.push(...imageEntrySteps(message.images, download), ...toolCallEvents(message.tool_calls));
  const usage = usageFromChat(body.usage);
  if (usage) steps.push({ type: 'usage', usage });
  steps.push({ type: 'finish', reason: finishReasonFrom(choice?.finish_reason) });
  return steps;
}
