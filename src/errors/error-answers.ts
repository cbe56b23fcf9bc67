import { type RedactSecrets, redactKeyShapes } from '../lib/secret-redaction.js';
import { type Answer, textAnswer } from '../server/answer.js';
import { GatewayError } from './gateway-error.js';
import { isAbortError, UpstreamError } from './upstream-error.js';

/**
 * The one place where any failure becomes an HTTP answer. GatewayErrors
 * already know theirs; upstream errors map by kind; anything else is a 500
 * that says nothing about internals (no stack, no key, no image bytes).
 * `redact` removes the configured secrets from an upstream failure's
 * message: an upstream's error text can quote the key the gateway sent it.
 * The gateway's own errors quote only what the client sent.
 */
export function toGatewayError(error: unknown, redact: RedactSecrets = redactKeyShapes): GatewayError {
  if (GatewayError.isInstance(error)) return error;
  if (UpstreamError.isInstance(error)) return withRedactedMessage(fromUpstream(error), redact);
  if (isTimeoutReason(error)) {
    return new GatewayError({
      status: 504,
      type: 'server_error',
      code: 'GENERATION_TIMEOUT',
      message: 'The generation did not finish within the provider timeout and was aborted.',
    });
  }
  if (isAbortError(error)) {
    return new GatewayError({
      status: 499,
      type: 'invalid_request_error',
      code: 'CLIENT_CLOSED_REQUEST',
      message: 'The client closed the request.',
    });
  }
  return new GatewayError({
    status: 500,
    type: 'server_error',
    code: 'INTERNAL_ERROR',
    message: 'The gateway failed to process the request.',
    cause: error,
  });
}

/** Longer messages come from an upstream quoting a whole body; what a person reads fits well within this. */
const longestMessage = 2000;
/** Longer than any key: a key the first cut splits lies wholly past the second. */
const longestKey = 1024;

/**
 * Upstream-derived text as a client or a log line may see it: the secrets
 * taken out, then cut to 2000 characters. Redaction comes before the cut that
 * counts, since a cut through a key leaves a prefix no pattern knows; the
 * text is bounded first so that redacting a megabyte costs nothing.
 */
export function redactedMessage(text: string, redact: RedactSecrets): string {
  const redacted = redact(text.length > longestMessage + longestKey ? text.slice(0, longestMessage + longestKey) : text);
  if (redacted.length <= longestMessage) return redacted;
  // The ellipsis counts: the whole message stays within the limit. Never split a surrogate pair either:
  // half a character is not valid UTF-16 for JSON.stringify to carry.
  const cut = longestMessage - 1;
  const end = /[\uD800-\uDBFF]/.test(redacted.charAt(cut - 1)) ? cut - 1 : cut;
  return `${redacted.slice(0, end)}…`;
}

function withRedactedMessage(error: GatewayError, redact: RedactSecrets): GatewayError {
  const message = redactedMessage(error.message, redact);
  if (message === error.message) return error;
  const { status, type, code, param, headers, cause } = error;
  return new GatewayError({ status, type, code, param, headers, message, cause });
}

function fromUpstream(error: UpstreamError): GatewayError {
  const from = `Provider "${error.provider}"`;
  const retryAfter =
    error.retryAfterMs === undefined ? undefined : { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) };
  switch (error.kind) {
    case 'content_filter':
      return new GatewayError({
        status: 400,
        type: 'invalid_request_error',
        code: 'content_filter',
        message: `${from} refused the request on content grounds: ${error.message}`,
      });
    case 'no_image':
      return new GatewayError({
        status: 502,
        type: 'server_error',
        code: 'NO_IMAGE',
        message: `${from} answered without an image: ${error.message}`,
      });
    case 'auth':
      // The upstream's own text may quote part of our key; say only what the operator must fix.
      return new GatewayError({
        status: 502,
        type: 'server_error',
        code: 'UPSTREAM_AUTH_FAILED',
        message: `${from} rejected the gateway's credentials; check its API key configuration.`,
      });
    case 'rate_limit':
      return new GatewayError({
        status: 429,
        type: 'rate_limit_exceeded',
        code: 'UPSTREAM_RATE_LIMITED',
        message: `${from} is rate limiting requests: ${error.message}`,
        headers: retryAfter,
      });
    case 'quota':
      return new GatewayError({
        status: 429,
        type: 'rate_limit_exceeded',
        code: 'UPSTREAM_QUOTA_EXCEEDED',
        message: `${from} quota or credits are exhausted.`,
      });
    case 'bad_request':
      return new GatewayError({
        status: 400,
        type: 'invalid_request_error',
        code: 'UPSTREAM_BAD_REQUEST',
        message: `${from} rejected the request: ${error.message}`,
      });
    case 'not_found':
      return new GatewayError({
        status: 502,
        type: 'server_error',
        code: 'UPSTREAM_MODEL_NOT_FOUND',
        message: `${from} does not know the configured model: ${error.message}`,
      });
    case 'timeout':
      return new GatewayError({
        status: 504,
        type: 'server_error',
        code: 'GENERATION_TIMEOUT',
        message: `${from} did not answer in time.`,
      });
    default:
      return new GatewayError({
        status: 502,
        type: 'server_error',
        code: 'UPSTREAM_ERROR',
        message: `${from} failed: ${error.message}`,
        headers: retryAfter,
      });
  }
}

function isTimeoutReason(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

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
