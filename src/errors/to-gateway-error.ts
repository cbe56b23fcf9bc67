import { type RedactSecrets, redactKeyShapes } from '../lib/secret-redaction.js';
import { type ErrorType, GatewayError } from './gateway-error.js';
import { isAbortError, UpstreamError, type UpstreamErrorKind } from './upstream-error.js';

/** How the gateway answers one kind of upstream failure; `detail` is the upstream's own (redacted) account of it. */
interface UpstreamAnswer {
  status: number;
  type: ErrorType;
  code: string;
  message(from: string, detail: string): string;
  /** Passes the upstream's retry delay on as Retry-After. */
  retryAfter?: boolean;
}

/**
 * Every kind of upstream failure and the answer a client gets for it. An
 * auth failure says only what the operator must fix: the upstream's own
 * text may quote part of the gateway's key.
 */
const upstreamAnswers: Record<UpstreamErrorKind, UpstreamAnswer> = {
  content_filter: {
    status: 400,
    type: 'invalid_request_error',
    code: 'content_filter',
    message: (from, detail) => `${from} refused the request on content grounds: ${detail}`,
  },
  no_image: {
    status: 502,
    type: 'server_error',
    code: 'NO_IMAGE',
    message: (from, detail) => `${from} answered without an image: ${detail}`,
  },
  auth: {
    status: 502,
    type: 'server_error',
    code: 'UPSTREAM_AUTH_FAILED',
    message: (from) => `${from} rejected the gateway's credentials; check its API key configuration.`,
  },
  rate_limit: {
    status: 429,
    type: 'rate_limit_exceeded',
    code: 'UPSTREAM_RATE_LIMITED',
    message: (from, detail) => `${from} is rate limiting requests: ${detail}`,
    retryAfter: true,
  },
  quota: {
    status: 429,
    type: 'rate_limit_exceeded',
    code: 'UPSTREAM_QUOTA_EXCEEDED',
    message: (from) => `${from} quota or credits are exhausted.`,
  },
  bad_request: {
    status: 400,
    type: 'invalid_request_error',
    code: 'UPSTREAM_BAD_REQUEST',
    message: (from, detail) => `${from} rejected the request: ${detail}`,
  },
  not_found: {
    status: 502,
    type: 'server_error',
    code: 'UPSTREAM_MODEL_NOT_FOUND',
    message: (from, detail) => `${from} does not know the configured model: ${detail}`,
  },
  timeout: { status: 504, type: 'server_error', code: 'GENERATION_TIMEOUT', message: (from) => `${from} did not answer in time.` },
  server: {
    status: 502,
    type: 'server_error',
    code: 'UPSTREAM_ERROR',
    message: (from, detail) => `${from} failed: ${detail}`,
    retryAfter: true,
  },
};

/**
 * The one place where any failure becomes the error a client is answered
 * with. GatewayErrors already know theirs; upstream errors map by kind
 * through the table above; an abort is the client leaving (499) and a
 * deadline a 504; anything else is a 500 that says nothing about internals
 * (no stack, no key, no image bytes). `redact` removes the configured
 * secrets from an upstream's text, which can quote the key the gateway sent
 * it; the gateway's own errors quote only what the client sent.
 *
 * @example
 * const error = toGatewayError(caught, redactSecrets); // error.status, error.code, error.message
 */
export function toGatewayError(error: unknown, redact: RedactSecrets = redactKeyShapes): GatewayError {
  if (GatewayError.isInstance(error)) return error;
  if (UpstreamError.isInstance(error)) return fromUpstream(error, redact);
  if (error instanceof Error && error.name === 'TimeoutError') {
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

function fromUpstream(error: UpstreamError, redact: RedactSecrets): GatewayError {
  // A kind from another copy of the package, or a custom provider's own, answers as a server failure.
  const answer = Object.hasOwn(upstreamAnswers, error.kind) ? upstreamAnswers[error.kind] : upstreamAnswers.server;
  const retryAfter =
    answer.retryAfter && error.retryAfterMs !== undefined
      ? { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) }
      : undefined;
  return new GatewayError({
    status: answer.status,
    type: answer.type,
    code: answer.code,
    message: redactedMessage(answer.message(`Provider "${error.provider}"`, error.clientDetail ?? error.message), redact),
    headers: retryAfter,
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
