import { UpstreamError } from '../../errors/upstream-error.js';
import type { FinishReason, GenerationEvent, GenerationSignal, GenerationUsage } from '../../provider.js';
import { type OpenAIErrorContext, openAIErrorFromEvent } from '../shared/openai-error.js';
import { parseEventObject, readServerSentEventsWith } from '../shared/sse-events.js';
import type { UpstreamResponse } from '../shared/upstream-http.js';
import type { ImageDownloadOptions } from '../shared/upstream-images.js';
import {
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
import { newChatJsonReader } from './openai-chat-lifted-images.js';
import { MarkdownImageScanner } from './openai-chat-markdown-images.js';

/** The fields of a `chat.completion.chunk` we read; some relays send `message` where `delta` belongs. */
interface ChatChunk {
  choices?: Array<{ delta?: ChatMessageFields; message?: ChatMessageFields; finish_reason?: string | null }>;
  usage?: ChatUsage | null;
}

/**
 * Reads a relay's chat stream (`data:` chunks, `data: [DONE]`) into events.
 * Markdown images in the content are reassembled across deltas; usage comes
 * from the last chunk that has it (the `include_usage` chunk with no
 * choices). A stream that stops with neither a finish reason nor `[DONE]`
 * was cut off, and fails. Each chunk is read as its bytes arrive, with its
 * image URLs lifted out, so a 15 MB image chunk is never one string.
 */
export async function* readChatStream(
  response: UpstreamResponse,
  signal: GenerationSignal,
  context: OpenAIErrorContext,
  download: ImageDownloadOptions,
): AsyncGenerator<GenerationEvent> {
  const scanner = new MarkdownImageScanner();
  let usage: GenerationUsage | undefined;
  let finish: FinishReason | undefined;
  let done = false;
  for await (const message of readServerSentEventsWith(response, signal, newChatJsonReader, context)) {
    if (message.data.text === '[DONE]') {
      done = true;
      break;
    }
    const chunk = parseEventObject<ChatChunk>(message.data, context, 'the chat stream sent a chunk');
    const error = openAIErrorFromEvent(chunk, context);
    if (error) throw error;
    usage = usageFromChat(chunk.usage) ?? usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const delta = choice.delta ?? choice.message ?? {};
    const reasoning = reasoningOf(delta);
    if (reasoning) yield { type: 'reasoning-delta', text: reasoning };
    for (const step of messageContentSteps(delta.content, scanner, download)) yield typeof step === 'function' ? await step() : step;
    if (delta.refusal) yield { type: 'text-delta', text: delta.refusal };
    for (const step of imageEntrySteps(delta.images, download)) yield typeof step === 'function' ? await step() : step;
    yield* toolCallEvents(delta.tool_calls);
    if (choice.finish_reason) finish = finishReasonFrom(choice.finish_reason);
  }
  for (const step of contentSteps(scanner.flush(), download)) yield typeof step === 'function' ? await step() : step;
  if (!done && !finish) {
    throw new UpstreamError({
      provider: context.provider,
      kind: 'server',
      status: 200,
      message: 'the chat stream ended before it finished',
      url: context.url,
    });
  }
  if (usage) yield { type: 'usage', usage };
  yield { type: 'finish', reason: finish ?? 'stop' };
}
