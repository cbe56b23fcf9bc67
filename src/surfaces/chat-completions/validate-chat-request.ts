import type { z } from 'zod';
import { GatewayError } from '../../errors/gateway-error.js';
import { formatPath } from '../../lib/property-path.js';
import { type ChatRequest, chatRequestSchema } from './chat-request-schema.js';

/**
 * Validates a parsed JSON body, turning the first zod issue into an OpenAI
 * error whose `param` is the dotted path (`messages[0].content[1].image_url.url`).
 */
export function validateChatRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_request_body',
      message: 'The request body must be a JSON object with "model" and "messages".',
    });
  }
  const result = chatRequestSchema.safeParse(body);
  if (result.success) {
    checkMessageContent(result.data);
    return result.data;
  }
  const { issue, path } = deepestIssue(result.error.issues[0] as z.core.$ZodIssue, []);
  const param = formatPath(path);
  const missing = issue.code === 'invalid_type' && readPath(body, path) === undefined;
  const message = missing ? `Missing required parameter: '${param}'.` : `Invalid '${param}': ${describe(issue)}.`;
  throw new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    code: missing ? 'missing_required_parameter' : 'invalid_value',
    param,
    message,
  });
}

/**
 * A message other than the assistant's must say something: OpenAI answers
 * a missing `content` and an empty parts array with a 400 naming the
 * message, in these words; the gateway used to answer 200 with a reply to
 * nothing. An assistant turn may be only tool calls or images.
 */
function checkMessageContent(request: ChatRequest): void {
  for (let index = 0; index < request.messages.length; index++) {
    const message = request.messages[index] as ChatRequest['messages'][number];
    if (message.role === 'assistant') continue;
    const param = `messages[${index}].content`;
    if (message.content === undefined) {
      throw new GatewayError({
        status: 400,
        type: 'invalid_request_error',
        code: 'missing_required_parameter',
        param,
        message: `Missing required parameter: '${param}'.`,
      });
    }
    if (Array.isArray(message.content) && message.content.length === 0) {
      throw new GatewayError({
        status: 400,
        type: 'invalid_request_error',
        code: 'empty_array',
        param,
        message: `Invalid '${param}': empty array. Expected an array with minimum length 1, but got an empty array instead.`,
      });
    }
  }
}

/**
 * A union (string | parts[]) reports one opaque issue; the branch that got
 * furthest into the input says what the client actually got wrong.
 */
function deepestIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): { issue: z.core.$ZodIssue; path: PropertyKey[] } {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { issue, path };
  let best: { issue: z.core.$ZodIssue; path: PropertyKey[] } = { issue, path };
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first || first.path.length === 0) continue;
    const candidate = deepestIssue(first, path);
    if (candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

function readPath(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describe(issue: z.core.$ZodIssue): string {
  // zod's generic texts ("Invalid input") say nothing useful; ours name what is allowed.
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    return `expected ${issue.expected}`;
  }
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid')) {
    return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
  }
  return issue.message;
}
