import { kindForStatus, UpstreamError, type UpstreamErrorKind, upstreamExcerpt } from '../../errors/upstream-error.js';
import { retryAfterFromHeaders } from '../shared/retry-after.js';
import { redactUrl } from '../shared/upstream-fetch.js';
import type { UpstreamResponseHead } from '../shared/upstream-http.js';

/**
 * Every way a FLUX call fails, turned into `UpstreamError` here and only
 * here: HTTP errors with FastAPI's `detail`, terminal poll statuses, broken
 * answers, and the polling deadline.
 */

/** FastAPI `detail`: a string, or validation items `{loc, msg}`. */
function describeDetail(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { detail, message } = body as { detail?: unknown; message?: unknown };
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail.map((item: { loc?: unknown[]; msg?: string }) => [item.loc?.join('.'), item.msg].filter(Boolean).join(': ')).join('; ');
  }
  if (detail !== undefined) return upstreamExcerpt(JSON.stringify(detail));
  return typeof message === 'string' ? message : undefined;
}

function parseBody(bodyText: string): unknown {
  try {
    return JSON.parse(bodyText);
  } catch {
    return undefined;
  }
}

/** The `toError` hook for `fetchUpstream` on submit, poll and download. */
export function fluxHttpError(provider: string, url: string, response: UpstreamResponseHead, bodyText: string): UpstreamError {
  const body = parseBody(bodyText);
  const status = response.status;
  const kind: UpstreamErrorKind = status === 402 ? 'quota' : status === 422 ? 'bad_request' : kindForStatus(status);
  const bodyRetryAfter = (body as { retry_after?: unknown } | undefined)?.retry_after;
  const retryAfterMs =
    retryAfterFromHeaders(response.headers) ?? (typeof bodyRetryAfter === 'number' ? Math.round(bodyRetryAfter * 1000) : undefined);
  return new UpstreamError({
    provider,
    kind,
    status,
    retryAfterMs,
    message: `FLUX answered ${status}: ${upstreamExcerpt(describeDetail(body) ?? (bodyText || response.statusText))}`,
    url: redactUrl(url),
  });
}

/**
 * A terminal poll status. Moderation repeats on retry. `Error` is a failed
 * generation on BFL's side and worth one more try; `Task not found` means the
 * polling URL is wrong or the task expired, and resubmitting would pay for
 * tasks we may again be unable to collect, so it is not retried.
 */
export function fluxStatusError(provider: string, url: string, status: string, details: unknown): UpstreamError {
  const moderated = status === 'Request Moderated' || status === 'Content Moderated';
  const what =
    status === 'Request Moderated'
      ? 'FLUX refused the prompt or input image'
      : status === 'Content Moderated'
        ? 'FLUX filtered the generated image'
        : `FLUX task ended with "${status}"`;
  const extra = details === undefined || details === null ? '' : `: ${upstreamExcerpt(JSON.stringify(details))}`;
  return new UpstreamError({
    provider,
    kind: moderated ? 'content_filter' : 'server',
    status: 200,
    retryable: status === 'Error',
    message: `${what} (${status})${extra}`,
    url: redactUrl(url),
  });
}

/** An answer that breaks the wire format (no polling_url, a sample that is not an image). */
export function fluxAnswerError(provider: string, url: string, message: string): UpstreamError {
  return new UpstreamError({ provider, kind: 'server', status: 200, message, url: redactUrl(url) });
}

export function fluxTimeoutError(provider: string, url: string, waitedMs: number): UpstreamError {
  return new UpstreamError({
    provider,
    kind: 'timeout',
    message: `FLUX task was not ready after ${Math.round(waitedMs / 1000)} s of polling`,
    url: redactUrl(url),
  });
}

/** The signed sample URL failed (often: it expired). Not our key's fault, and a new task gets a new URL. */
export function fluxDownloadError(provider: string, url: string, response: UpstreamResponseHead): UpstreamError {
  return new UpstreamError({
    provider,
    kind: 'server',
    status: response.status,
    retryable: true,
    message: `FLUX result download answered ${response.status}`,
    url: redactUrl(url),
  });
}
