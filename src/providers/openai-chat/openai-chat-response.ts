import { isAbortError, UpstreamError } from '../../errors/upstream-error.js';
import type { CancelSignal } from '../../lib/cancel-signal.js';
import type { OpenAIErrorContext } from '../shared/openai-error.js';
import type { ImageDownloadOptions } from '../shared/upstream-images.js';
import { readUpstreamJson } from '../shared/upstream-json.js';
import type { UpstreamResponse } from '../shared/upstream-response.js';
import {
  type ChatEventStep,
  type ChatUsage,
  contentSteps,
  finishReasonFrom,
  imageEntrySteps,
  messageContentSteps,
  reasoningOf,
  toolCallEvents,
  usageFromChat,
} from './openai-chat-events.js';
import { newChatJsonReader } from './openai-chat-lifted-images.js';
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
 * The JSON object of a successful relay answer, read as it arrives with its
 * image URLs lifted out (see `newChatJsonReader`). A connection lost
 * mid-body or a body that is not a JSON object is a server failure; an abort
 * stays an abort.
 */
export async function readChatCompletionBody(
  response: UpstreamResponse,
  context: OpenAIErrorContext,
  signal: CancelSignal,
): Promise<ChatCompletionBody> {
  let json: Awaited<ReturnType<typeof readUpstreamJson>>;
  try {
    json = await readUpstreamJson(response, newChatJsonReader(), signal);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (isAbortError(error)) throw error;
    throw serverError(context, response.status, `the upstream answer broke off: ${(error as Error).message}`, error);
  }
  try {
    const value = json.parse();
    if (typeof value === 'object' && value !== null) return value as ChatCompletionBody;
  } catch {
    // Falls through to the error below.
  }
  throw serverError(context, response.status, 'the upstream answered with something that is not JSON');
}

function serverError(context: OpenAIErrorContext, status: number, message: string, cause?: unknown): UpstreamError {
  return new UpstreamError({ provider: context.provider, kind: 'server', status, message, url: context.url, cause });
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
