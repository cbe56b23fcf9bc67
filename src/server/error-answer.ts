import type { GatewayError } from '../errors/gateway-error.js';
import { type Answer, textAnswer } from './answer.js';

/**
 * The OpenAI envelope. Key order and the absence of `param` when it is null
 * follow the seed bodies byte for byte:
 * `{"error":{"message":"Queue is full","type":"rate_limit_exceeded","code":"QUEUE_FULL"}}`.
 */
export function errorBody(error: GatewayError): string {
  const payload: Record<string, unknown> = { message: error.message, type: error.type };
  if (error.param !== null) payload.param = error.param;
  payload.code = error.code;
  return JSON.stringify({ error: payload });
}

/** The answer for an error: its envelope, status and headers (Retry-After, WWW-Authenticate). */
export function errorAnswer(error: GatewayError, headers: Record<string, string> = {}): Answer {
  return textAnswer(errorBody(error), error.status, { 'content-type': 'application/json', ...error.headers, ...headers });
}
