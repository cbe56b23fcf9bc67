import type { UpstreamHeaders } from './upstream-http.js';

/**
 * Reads the delay an upstream asked for, the way the OpenAI SDK does:
 * `retry-after-ms` (ms), then `retry-after` as seconds (fractions allowed)
 * or an HTTP date. Returns undefined when neither is usable.
 */
export function retryAfterFromHeaders(headers: UpstreamHeaders, now: () => number = Date.now): number | undefined {
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.round(milliseconds);
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, date - now());
  return undefined;
}

/** Parses a protobuf Duration string such as "34s" or "34.4s" into ms. */
export function durationToMs(duration: unknown): number | undefined {
  if (typeof duration !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}
