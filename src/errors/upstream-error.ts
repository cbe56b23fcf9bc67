import { hasMarker, ImageGatewayError } from './image-gateway-error.js';

const marker = Symbol.for('image-gateway.upstream-error');

/**
 * How much of an upstream's own text a provider quotes in an error. Kept well
 * above the 2000 characters a client is shown: the gateway redacts the
 * configured keys and then cuts, so a key this cut splits lies past what
 * anyone sees, and its surviving prefix is cut away with it.
 */
export const upstreamTextLimit = 4000;

/** The start of an upstream's text, for an error message (see `upstreamTextLimit`). */
export function upstreamExcerpt(text: string): string {
  return text.length > upstreamTextLimit ? text.slice(0, upstreamTextLimit) : text;
}

/** Why an upstream call failed, as far as routing and the client care. */
export type UpstreamErrorKind =
  | 'content_filter' // the provider refused the prompt or the output
  | 'no_image' // the provider answered but produced no image
  | 'auth' // our key was refused: an operator problem, not the client's
  | 'rate_limit' // 429: retry later, maybe elsewhere
  | 'quota' // billing exhausted: retrying does not help
  | 'bad_request' // the provider rejected the request's content
  | 'not_found' // the model is unknown upstream
  | 'server' // 5xx, overload, malformed answer, network failure
  | 'timeout';

export interface UpstreamErrorOptions {
  provider: string;
  kind: UpstreamErrorKind;
  message: string;
  status?: number;
  retryable?: boolean;
  retryAfterMs?: number;
  url?: string;
  /** What a client reads in place of `message`, when `message` holds what only the operator should (see `clientDetail`). */
  clientDetail?: string;
  cause?: unknown;
}

/**
 * The one error every provider throws for an upstream failure. Abort errors
 * are never wrapped in it: they pass through untouched.
 *
 * @example
 * if (UpstreamError.isInstance(error) && error.retryable) tryNextInstance();
 */
export class UpstreamError extends ImageGatewayError {
  readonly [marker] = true;
  override readonly name = 'UpstreamError';
  readonly provider: string;
  readonly kind: UpstreamErrorKind;
  /** HTTP status the upstream answered with, when it answered. */
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** Delay the upstream asked for (Retry-After, RetryInfo), in ms. */
  readonly retryAfterMs: number | undefined;
  readonly url: string | undefined;
  /**
   * What a client is told of this failure instead of `message`, when the
   * message holds what only the operator may read: a network error code, an
   * upstream or image URL. The log line of the failed attempt keeps `message`.
   */
  readonly clientDetail: string | undefined;

  constructor(options: UpstreamErrorOptions) {
    super(options.message, { cause: options.cause });
    this.provider = options.provider;
    this.kind = options.kind;
    this.status = options.status;
    this.retryable = options.retryable ?? defaultRetryable(options.kind);
    this.retryAfterMs = options.retryAfterMs;
    this.url = options.url;
    this.clientDetail = options.clientDetail;
  }

  static override isInstance(error: unknown): error is UpstreamError {
    return hasMarker(error, marker);
  }
}

/**
 * The error with its retry delay capped at `maxMs`: an upstream's
 * `retry-after: 99999999999` (or a date in 2099) must not take an instance
 * out for millennia, nor reach a client as its own Retry-After.
 *
 * @example
 * const capped = withRetryAfterAtMost(error, 30_000); // retryAfterMs ≤ 30 s
 */
export function withRetryAfterAtMost(error: UpstreamError, maxMs: number): UpstreamError {
  if (error.retryAfterMs === undefined || error.retryAfterMs <= maxMs) return error;
  return new UpstreamError({
    provider: error.provider,
    kind: error.kind,
    message: error.message,
    status: error.status,
    retryable: error.retryable,
    retryAfterMs: maxMs,
    url: error.url,
    clientDetail: error.clientDetail,
    cause: error.cause,
  });
}

function defaultRetryable(kind: UpstreamErrorKind): boolean {
  return kind === 'rate_limit' || kind === 'server' || kind === 'timeout';
}

/** Classifies an upstream HTTP status the way the official SDKs do (408, 409, 429, 5xx retry). */
export function kindForStatus(status: number): UpstreamErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limit';
  if (status === 409 || status >= 500) return 'server';
  return 'bad_request';
}

/** True for the errors an aborted signal produces (ours or fetch's). */
export function isAbortError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'AbortError' || error.name === 'TimeoutError' || (error as { code?: string }).code === 'ABORT_ERR')
  );
}
