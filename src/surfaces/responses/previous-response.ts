import { invalidRequest } from '../../errors/gateway-error.js';
import type { Caller } from '../../server/exchange.js';
import { ownerOf } from '../results/detachment.js';
import type { SurfaceContext } from '../surface-context.js';
import type { ResponsesMessage } from './responses-request-schema.js';
import type { ConversationTurn } from './stored-response.js';

/** What the next turn takes from a stored response: its conversation's text turns and its output images. */
export interface PreviousResponse {
  readonly id: string;
  /** Text turns up to and including the previous answer's text. */
  readonly turns: readonly ConversationTurn[];
  /** The previous output images as data URLs, in output order. */
  readonly images: readonly string[];
}

/**
 * The caller's stored response named by `previous_response_id` (waited for
 * while it still runs here). A 400 naming the field when it is not stored
 * for this caller (never, deleted, expired, evicted, another caller's) or
 * did not complete.
 */
export async function previousResponse(context: SurfaceContext, caller: Caller, id: string): Promise<PreviousResponse> {
  const owner = ownerOf(caller);
  const entry = await context.results.find(context.results.keyFor('resp', owner, id));
  if (!entry) {
    throw invalidRequest(
      `Previous response with id '${id.slice(0, 100)}' not found: it was never stored for this caller, was deleted, or expired or was evicted from the results store.`,
      'previous_response_id',
      'previous_response_not_found',
    );
  }
  const response = JSON.parse(new TextDecoder().decode(entry.bytes)) as { status?: string; output?: Array<Record<string, unknown>> };
  if (response.status !== 'completed') {
    throw invalidRequest(
      `Previous response '${id.slice(0, 100)}' is ${response.status}; only a completed response can be continued.`,
      'previous_response_id',
    );
  }
  const images: string[] = [];
  for (const item of response.output ?? []) {
    if (item.type !== 'image_generation_call' || typeof item.result !== 'string') continue;
    images.push(`data:image/${typeof item.output_format === 'string' ? item.output_format : 'png'};base64,${item.result}`);
  }
  let turns: ConversationTurn[] = [];
  try {
    const stored = await context.results.find(context.results.keyFor('resp-context', owner, id));
    if (stored) turns = JSON.parse(new TextDecoder().decode(stored.bytes));
  } catch {
    // A context that is gone (evicted apart from its response) or unreadable leaves the images as the whole of the previous turn.
  }
  return { id, turns, images };
}

/**
 * The conversation a follow-up runs on: the previous turns as text, then the
 * request's own items, with the previous output images put first into its
 * last user message, so the edit it asks for applies to them.
 */
export function continueFrom(previous: PreviousResponse, own: readonly ResponsesMessage[]): ResponsesMessage[] {
  const items: ResponsesMessage[] = previous.turns.map((turn) => ({ role: turn.role, content: turn.text }));
  const lastUser = own.findLastIndex((message) => message.role === 'user');
  own.forEach((message, index) => {
    if (index !== lastUser || previous.images.length === 0) {
      items.push(message);
      return;
    }
    const parts: Exclude<ResponsesMessage['content'], string> = previous.images.map((url) => ({
      type: 'input_image' as const,
      image_url: url,
    }));
    if (typeof message.content === 'string') parts.push({ type: 'input_text', text: message.content });
    else parts.push(...message.content);
    items.push({ ...message, content: parts });
  });
  return items;
}

/** The text turns of this request's conversation (the previous response's, then its own), kept with its stored response. */
export function conversationOf(previous: PreviousResponse | undefined, own: readonly ResponsesMessage[]): ConversationTurn[] {
  const turns: ConversationTurn[] = previous ? [...previous.turns] : [];
  for (const message of own) {
    const text = textOf(message);
    if (text) turns.push({ role: message.role === 'developer' ? 'system' : message.role, text });
  }
  return turns;
}

function textOf(message: ResponsesMessage): string {
  if (typeof message.content === 'string') return message.content.trim();
  const texts: string[] = [];
  for (const part of message.content) if (part.type === 'input_text' || part.type === 'output_text') texts.push(part.text);
  return texts.join('\n').trim();
}
