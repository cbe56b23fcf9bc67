import { kindForStatus, UpstreamError, type UpstreamErrorKind, upstreamExcerpt } from '../../errors/upstream-error.js';
import { redactKeyShapes } from '../../lib/secret-redaction.js';
import { retryAfterFromHeaders } from './retry-after.js';
import { redactUrl } from './upstream-fetch.js';
import type { UpstreamResponseHead } from './upstream-http.js';

/** The fields of OpenAI's error envelope we read; relays vary, so all are optional. */
interface ErrorBody {
  message?: unknown;
  type?: unknown;
  code?: unknown;
  param?: unknown;
}

export interface OpenAIErrorContext {
  provider: string;
  url: string;
  /** Clock for HTTP-date Retry-After values. */
  now?: () => number;
}

const contentFilterCodes = new Set(['moderation_blocked', 'content_policy_violation', 'content_filter']);
const quotaCodes = new Set(['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active']);

/**
 * Turns an OpenAI-style error answer (`{"error":{message,type,param,code}}`,
 * relay variants included) into an `UpstreamError`. The one place both
 * OpenAI providers classify failures.
 *
 * @example
 * fetchUpstream({ ..., toError: (response, text) => openAIErrorFromResponse(response, text, context) });
 */
export function openAIErrorFromResponse(response: UpstreamResponseHead, bodyText: string, context: OpenAIErrorContext): UpstreamError {
  const body = errorBodyOf(parseJson(bodyText)) ?? { message: upstreamExcerpt(bodyText) };
  const retryAfterMs = retryAfterFromHeaders(response.headers, context.now) ?? retryAfterFromMessage(body.message);
  const shouldRetry = response.headers.get('x-should-retry');
  return buildError(body, context, {
    status: response.status,
    retryAfterMs,
    retryable: shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : undefined,
  });
}

/**
 * The error carried by a stream event (`{"type":"error","error":{...}}` or
 * `{"error":{...}}`), or undefined when the event is not an error.
 */
export function openAIErrorFromEvent(event: unknown, context: OpenAIErrorContext): UpstreamError | undefined {
  if (typeof event !== 'object' || event === null || !('error' in event)) return undefined;
  const body = errorBodyOf(event) ?? { message: 'the upstream reported an error mid-stream' };
  const numericCode = typeof body.code === 'number' ? body.code : undefined;
  return buildError(body, context, { status: numericCode, retryAfterMs: retryAfterFromMessage(body.message) });
}

interface ErrorFacts {
  status: number | undefined;
  retryAfterMs: number | undefined;
  retryable?: boolean | undefined;
}

function buildError(body: ErrorBody, context: OpenAIErrorContext, facts: ErrorFacts): UpstreamError {
  const code = body.code === null || body.code === undefined ? undefined : String(body.code);
  const type = typeof body.type === 'string' ? body.type : undefined;
  // OpenRouter puts the real status in a numeric `code` while answering with another one.
  const status = facts.status ?? (typeof body.code === 'number' ? body.code : undefined);
  const kind = classify(status, code, type);
  const label = [code, type].find((value) => value !== undefined && value !== '') ?? 'error';
  const message =
    kind === 'auth' && (status === 401 || code === 'invalid_api_key')
      ? 'the upstream refused the configured API key'
      : cleanMessage(body.message);
  const retryable = kind === 'content_filter' || kind === 'quota' || kind === 'auth' ? false : facts.retryable;
  return new UpstreamError({
    provider: context.provider,
    kind,
    status: facts.status,
    message: `${message} (${status ?? 'stream'} ${label})`,
    retryable,
    retryAfterMs: facts.retryAfterMs,
    url: redactUrl(context.url),
  });
}

function classify(status: number | undefined, code: string | undefined, type: string | undefined): UpstreamErrorKind {
  if ((code && contentFilterCodes.has(code)) || type === 'image_generation_user_error') return 'content_filter';
  if ((code && quotaCodes.has(code)) || type === 'insufficient_quota' || status === 402) return 'quota';
  if (code === 'invalid_api_key' || type === 'authentication_error') return 'auth';
  if (code === 'rate_limit_exceeded' || type === 'requests' || type === 'tokens') return 'rate_limit';
  if (status !== undefined && status >= 400) return kindForStatus(status);
  if (code === 'model_not_found') return 'not_found';
  if (type === 'invalid_request_error') return 'bad_request';
  return 'server';
}

function errorBodyOf(value: unknown): ErrorBody | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const error = (value as { error?: unknown }).error;
  if (typeof error === 'string') return { message: error };
  if (typeof error === 'object' && error !== null) return error as ErrorBody;
  if ('message' in value) return value as ErrorBody;
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The upstream's message without what must not reach a client: key
 * fragments (OpenAI echoes "sk-...abcd"), and the `(request id: ...)`
 * suffix one-api/new-api relays append.
 */
function cleanMessage(message: unknown): string {
  const text = typeof message === 'string' && message.trim() !== '' ? message : 'the upstream reported an error';
  return redactKeyShapes(upstreamExcerpt(text))
    .replace(/\s*\(request id: [^)]*\)/gi, '')
    .trim();
}

/** "Please try again in 12s" / "in 850ms": the delay OpenAI writes into 429 messages when headers are missing. */
function retryAfterFromMessage(message: unknown): number | undefined {
  if (typeof message !== 'string') return undefined;
  const match = /try again in (\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(message);
  if (!match) return undefined;
  const value = Number(match[1]);
  return Math.round(match[2]?.toLowerCase() === 'ms' ? value : value * 1000);
}
