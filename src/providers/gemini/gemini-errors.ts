import { UpstreamError, type UpstreamErrorKind, upstreamExcerpt } from '../../errors/upstream-error.js';
import { durationToMs, retryAfterFromHeaders } from '../shared/retry-after.js';
import { redactUrl } from '../shared/upstream-fetch.js';
import type { UpstreamHeaders, UpstreamResponseHead } from '../shared/upstream-http.js';
import { type GeminiErrorStatus, geminiErrorStatusSchema } from './gemini-wire.js';

/**
 * Every way a Gemini call fails, turned into `UpstreamError` here and only
 * here: HTTP errors, mid-stream `{"error":...}` events, and the HTTP 200
 * answers that carry no image.
 */

const contentFilterReasons = new Set([
  'SAFETY',
  'PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'RECITATION',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

function detailOfType(status: GeminiErrorStatus, suffix: string): Record<string, unknown> | undefined {
  return status.details?.find((detail) => detail['@type']?.endsWith(suffix));
}

function kindOf(httpStatus: number, status: GeminiErrorStatus): { kind: UpstreamErrorKind; retryable?: boolean } {
  const reason = detailOfType(status, 'google.rpc.ErrorInfo')?.reason;
  if (reason === 'API_KEY_INVALID' || /api key not valid/i.test(status.message ?? '')) return { kind: 'auth' };
  if (httpStatus === 401 || httpStatus === 403) return { kind: 'auth' };
  if (httpStatus === 404) return { kind: 'not_found' };
  if (httpStatus === 429) {
    // Rate limits carry QuotaFailure/RetryInfo details; exhausted billing comes back bare and does not heal.
    return status.details && status.details.length > 0 ? { kind: 'rate_limit' } : { kind: 'quota', retryable: false };
  }
  if (httpStatus === 408 || httpStatus === 409 || httpStatus >= 500) return { kind: 'server', retryable: true };
  return { kind: 'bad_request' };
}

/** Maps a `google.rpc.Status` (from an HTTP error body or a mid-stream event). */
export function geminiStatusError(options: {
  provider: string;
  status: GeminiErrorStatus;
  httpStatus: number;
  url: string;
  headers?: UpstreamHeaders;
  midStream?: boolean;
}): UpstreamError {
  const { status, httpStatus } = options;
  const { kind, retryable } = kindOf(httpStatus, status);
  const retryDelay = durationToMs(detailOfType(status, 'google.rpc.RetryInfo')?.retryDelay);
  const label = [httpStatus, status.status].filter(Boolean).join(' ');
  const where = options.midStream ? ' mid-stream' : '';
  return new UpstreamError({
    provider: options.provider,
    kind,
    status: httpStatus,
    retryable,
    retryAfterMs: retryDelay ?? (options.headers ? retryAfterFromHeaders(options.headers) : undefined),
    message: `Gemini answered ${label}${where}: ${status.message ?? 'no message'}`,
    url: redactUrl(options.url),
  });
}

/** The `toError` hook for `fetchUpstream`: reads Google's error envelope when there is one. */
export function geminiHttpError(provider: string, url: string, response: UpstreamResponseHead, bodyText: string): UpstreamError {
  let status: GeminiErrorStatus = { message: upstreamExcerpt(bodyText) || response.statusText };
  try {
    const parsed = geminiErrorStatusSchema.safeParse((JSON.parse(bodyText) as { error?: unknown }).error);
    if (parsed.success) status = parsed.data;
  } catch {
    // A proxy's HTML error page: keep the raw text.
  }
  return geminiStatusError({ provider, status, httpStatus: response.status, url, headers: response.headers });
}

/** A 200 answer with no image, or one that breaks the wire format. */
export function geminiAnswerError(options: {
  provider: string;
  url: string;
  kind: 'content_filter' | 'no_image' | 'server';
  message: string;
}): UpstreamError {
  return new UpstreamError({
    provider: options.provider,
    kind: options.kind,
    status: 200,
    // Blocks repeat on retry; a malformed answer or a turn without an image may not, elsewhere.
    retryable: options.kind !== 'content_filter',
    message: options.message,
    url: redactUrl(options.url),
  });
}

/** Why a candidate ended without an image: a safety block, or simply no image (NO_IMAGE, STOP, MAX_TOKENS...). */
export function kindForFinishReason(finishReason: string | undefined): 'content_filter' | 'no_image' {
  return finishReason && contentFilterReasons.has(finishReason) ? 'content_filter' : 'no_image';
}
