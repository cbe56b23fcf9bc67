import { GatewayError } from '../../errors/gateway-error.js';
import { parseRequest } from '../shared/request-validation.js';
import { type ChatRequest, chatRequestSchema } from './chat-request-schema.js';

/**
 * Validates a parsed JSON body, turning the first zod issue into an OpenAI
 * error whose `param` is the dotted path (`messages[0].content[1].image_url.url`).
 */
export function validateChatRequest(body: unknown): ChatRequest {
  const request = parseRequest(chatRequestSchema, body, '"model" and "messages"');
  checkMessageContent(request);
  return request;
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
