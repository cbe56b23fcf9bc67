import type { StoredBlob } from '../../store/blob-store.js';
import type { FinishedAnswer } from '../results/recorded-run.js';
import type { ResponseLifecycle } from './response-lifecycle.js';
import { responseObject } from './response-object.js';
import type { ResponsesRequest } from './responses-request-schema.js';

/** One text turn of a stored response's conversation, carried to the next turn by `previous_response_id`. */
export interface ConversationTurn {
  role: 'user' | 'assistant' | 'system';
  text: string;
}

/** Most characters of earlier text kept with a stored response: the oldest turns go first. */
const maxContextCharacters = 32 * 1024;

const decoder = new TextDecoder();

export interface StoredResponseFacts {
  request: ResponsesRequest;
  lifecycle: ResponseLifecycle;
  promptEstimate: number;
  /** The text turns that led to this response, the current user turn last. */
  conversation: readonly ConversationTurn[];
  responseKey: string;
  eventsKey: string;
  contextKey: string;
}

/**
 * What a finished response leaves in the store: the `response` object (as
 * `GET /v1/responses/{id}` answers it, `cancelled` when it was), its
 * conversation's text turns (for `previous_response_id`),
 * and, when it ran as a stream, its events (for `?stream=true&starting_after=N`).
 */
export function storedResponseBlobs(facts: StoredResponseFacts, finished: FinishedAnswer): Array<[string, StoredBlob]> {
  const response = finalResponse(facts, finished);
  if (facts.lifecycle.cancelled) {
    response.status = 'cancelled';
    response.error = null;
  }
  const turns: ConversationTurn[] = [...facts.conversation];
  const answerText = outputText(response);
  if (answerText) turns.push({ role: 'assistant', text: answerText });
  const blobs: Array<[string, StoredBlob]> = [
    [
      facts.responseKey,
      {
        bytes: new TextEncoder().encode(JSON.stringify(response)),
        contentType: 'application/json',
        metadata: { kind: 'response' },
      },
    ],
    // Its own blob, not metadata: a store such as S3 bounds metadata to 2 KB.
    [
      facts.contextKey,
      {
        bytes: new TextEncoder().encode(JSON.stringify(boundedTurns(turns))),
        contentType: 'application/json',
        metadata: { kind: 'response-context' },
      },
    ],
  ];
  if (finished.streamed)
    blobs.push([facts.eventsKey, { bytes: finished.body, contentType: 'text/event-stream', metadata: { kind: 'response-events' } }]);
  return blobs;
}

function finalResponse(facts: StoredResponseFacts, finished: FinishedAnswer): Record<string, unknown> {
  if (finished.streamed) {
    const last = lastResponseEvent(finished.body);
    if (last) return last;
  } else if (finished.status === 200) {
    return JSON.parse(decoder.decode(finished.body));
  }
  let error = { code: 'server_error', message: 'The response ended without a result.' };
  if (!finished.streamed) {
    try {
      const envelope = JSON.parse(decoder.decode(finished.body)) as { error?: { code?: string; message?: string } };
      error = { code: String(envelope.error?.code ?? error.code), message: String(envelope.error?.message ?? error.message) };
    } catch {
      // Not an envelope: the generic error stands.
    }
  }
  return responseObject(facts.lifecycle.identity, facts.request, 'failed', [], null, facts.promptEstimate, error);
}

const responseEvents = ['event: response.completed\ndata: ', 'event: response.failed\ndata: '];

/** The `response` of a stream's last `response.completed` or `response.failed` event. */
function lastResponseEvent(body: Uint8Array): Record<string, unknown> | undefined {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let start = -1;
  let marker = '';
  for (const candidate of responseEvents) {
    const at = bytes.lastIndexOf(candidate);
    if (at > start) {
      start = at;
      marker = candidate;
    }
  }
  if (start < 0) return undefined;
  const from = start + Buffer.byteLength(marker);
  const end = bytes.indexOf('\n', from);
  const event = JSON.parse(bytes.toString('utf8', from, end < 0 ? bytes.length : end)) as { response?: Record<string, unknown> };
  return event.response;
}

/** The text of a response's `message` items. */
export function outputText(response: Record<string, unknown>): string {
  const texts: string[] = [];
  for (const item of (response.output as Array<Record<string, any>> | undefined) ?? []) {
    if (item?.type !== 'message') continue;
    for (const part of item.content ?? []) if (part?.type === 'output_text' && typeof part.text === 'string') texts.push(part.text);
  }
  return texts.join('\n').trim();
}

function boundedTurns(turns: ConversationTurn[]): ConversationTurn[] {
  let characters = 0;
  let first = turns.length;
  while (first > 0 && characters + (turns[first - 1] as ConversationTurn).text.length <= maxContextCharacters) {
    first -= 1;
    characters += (turns[first] as ConversationTurn).text.length;
  }
  return turns.slice(first);
}
