import type { GatewayError } from '../../errors/gateway-error.js';
import { randomHex } from '../../lib/random-hex.js';
import type { GenerationUsage } from '../../provider.js';
import type { ImageGenerationTool, ResponsesRequest } from './responses-request-schema.js';

/** Identity shared by a response and every event of its stream. */
export interface ResponseIdentity {
  id: string;
  createdAt: number;
  model: string;
}

/** A new response id: `resp_` and 24 random hex characters. */
export function newResponseId(): string {
  return `resp_${randomHex(24)}`;
}

/** The identity of a response; its id is made when the request is prepared, so a stored response can be found while it runs. */
export function newResponseIdentity(model: string, now: number, id: string = newResponseId()): ResponseIdentity {
  return { id, createdAt: Math.floor(now / 1000), model };
}

/** Ids of output items: `ig_…` for an image generation call, `msg_…` for a message. */
export function newItemId(prefix: 'ig' | 'msg'): string {
  return `${prefix}_${randomHex(24)}`;
}

export type ResponseStatus = 'queued' | 'in_progress' | 'completed' | 'failed' | 'cancelled';

/**
 * The `response` object as OpenAI writes it, around `output`: the request's
 * settings echoed (`store` true unless the request said false, as OpenAI's
 * default), the status, and usage once known.
 *
 * @example
 * responseObject(identity, request, 'completed', output, usage, 12, null);
 */
export function responseObject(
  identity: ResponseIdentity,
  request: ResponsesRequest,
  status: ResponseStatus,
  output: readonly unknown[],
  usage: GenerationUsage | undefined | null,
  promptEstimate: number,
  error: Pick<GatewayError, 'code' | 'message'> | null,
): Record<string, unknown> {
  return {
    id: identity.id,
    object: 'response',
    created_at: identity.createdAt,
    status,
    background: request.background === true,
    error: error ? { code: error.code, message: error.message } : null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: identity.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: request.previous_response_id ?? null,
    store: request.store !== false,
    temperature: request.temperature ?? null,
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? null,
    usage: usage === null ? null : responsesUsage(usage, promptEstimate),
    user: request.user ?? null,
    metadata: {},
  };
}

/** The Responses API's `usage` from a provider's figures; the gateway's estimate of the prompt when it reports none. */
export function responsesUsage(usage: GenerationUsage | undefined, promptEstimate: number): Record<string, unknown> {
  const input = usage?.promptTokens ?? promptEstimate;
  const output = usage?.completionTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage?.promptCachedTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage?.reasoningTokens ?? 0 },
    total_tokens: usage?.totalTokens ?? input + output,
  };
}

/** A completed `image_generation_call` item; `result` is the image's base64 or a stand-in for it. */
export function imageCallItem(
  id: string,
  result: string,
  facts: { format: string; size?: string },
  settings: ImageGenerationTool | undefined,
): Record<string, unknown> {
  return {
    type: 'image_generation_call',
    id,
    status: 'completed',
    background: settings?.background ?? 'auto',
    output_format: facts.format,
    quality: settings?.quality ?? 'auto',
    size: facts.size ?? 'auto',
    result,
  };
}

/** An assistant `message` item with one `output_text` part. */
export function messageItem(id: string, text: string, status: 'in_progress' | 'completed'): Record<string, unknown> {
  return {
    type: 'message',
    id,
    status,
    role: 'assistant',
    content: status === 'completed' ? [outputTextPart(text)] : [],
  };
}

export function outputTextPart(text: string): Record<string, unknown> {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}
