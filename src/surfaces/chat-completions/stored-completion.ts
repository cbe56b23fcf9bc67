import type { StoredBlob } from '../../store/blob-store.js';
import type { FinishedAnswer } from '../results/recorded-run.js';

const decoder = new TextDecoder();

/**
 * How long a stored completion's hosted image files (URL delivery) are kept:
 * as long as the completion that links them, when that is longer than
 * `images.urlTtlSeconds`; undefined leaves the files' own lifetime.
 */
export function keptImageSeconds(
  prepared: { chat: { store?: boolean | null } },
  context: { options: { images: { urlTtlSeconds: number }; results: { ttlSeconds: number } } },
): number | undefined {
  if (prepared.chat.store !== true) return undefined;
  return Math.max(context.options.images.urlTtlSeconds, context.options.results.ttlSeconds);
}

/**
 * The `chat.completion` to keep for a `store: true` request, from its
 * finished answer: a JSON answer is kept as it is; a stream is folded back
 * into one completion (content, reasoning, images, tool calls, finish
 * reason and usage), as the SDKs' stream helpers fold it. Undefined for a
 * failure: an error is not a completion.
 */
export function storedCompletionBlob(finished: FinishedAnswer): StoredBlob | undefined {
  if (finished.status !== 200) return undefined;
  if (!finished.streamed) return { bytes: finished.body, contentType: 'application/json', metadata: { kind: 'chat.completion' } };
  const completion = completionFromStream(decoder.decode(finished.body));
  if (!completion) return undefined;
  return {
    bytes: new TextEncoder().encode(JSON.stringify(completion)),
    contentType: 'application/json',
    metadata: { kind: 'chat.completion' },
  };
}

/** The stored completion under `key`, as `KeptResult.toBlobs` gives it. */
export function storedCompletionBlobs(key: string): (finished: FinishedAnswer) => Array<[string, StoredBlob]> {
  return (finished) => {
    const blob = storedCompletionBlob(finished);
    return blob ? [[key, blob]] : [];
  };
}

interface ToolCallParts {
  id?: string;
  type: string;
  function: { name: string; arguments: string };
}

/** One completion from the `data:` lines of a chat stream; undefined when the stream carried an error or never finished. */
export function completionFromStream(text: string): Record<string, unknown> | undefined {
  let head: { id: string; created: number; model: string } | undefined;
  let content = '';
  let sawContent = false;
  let reasoning = '';
  const images: unknown[] = [];
  const toolCalls: ToolCallParts[] = [];
  let finishReason: string | undefined;
  let usage: unknown;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const chunk = JSON.parse(line.slice(6)) as Record<string, any>;
    if (chunk.error) return undefined;
    head ??= { id: chunk.id, created: chunk.created, model: chunk.model };
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const delta = choice.delta ?? {};
    if (typeof delta.content === 'string') {
      content += delta.content;
      if (delta.content !== '') sawContent = true;
    }
    if (typeof delta.reasoning_content === 'string') reasoning += delta.reasoning_content;
    if (Array.isArray(delta.images)) images.push(...delta.images);
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) mergeToolCall(toolCalls, call);
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  if (!head || finishReason === undefined) return undefined;
  const message: Record<string, unknown> = { role: 'assistant', content: sawContent || toolCalls.length === 0 ? content : null };
  if (reasoning) message.reasoning_content = reasoning;
  if (images.length > 0) message.images = images;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const completion: Record<string, unknown> = {
    id: head.id,
    object: 'chat.completion',
    created: head.created,
    model: head.model,
    choices: [{ index: 0, message, finish_reason: finishReason }],
  };
  if (usage) completion.usage = usage;
  return completion;
}

function mergeToolCall(calls: ToolCallParts[], delta: Record<string, any>): void {
  const index = typeof delta.index === 'number' ? delta.index : calls.length;
  calls[index] ??= { type: 'function', function: { name: '', arguments: '' } };
  const call = calls[index] as ToolCallParts;
  if (delta.id) call.id = delta.id;
  if (delta.function?.name) call.function.name += delta.function.name;
  if (typeof delta.function?.arguments === 'string') call.function.arguments += delta.function.arguments;
}
