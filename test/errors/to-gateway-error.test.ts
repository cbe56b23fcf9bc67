import { describe, expect, it } from 'vitest';
import { toGatewayError } from '../../src/errors/to-gateway-error.js';
import { UpstreamError, type UpstreamErrorKind } from '../../src/errors/upstream-error.js';

describe('toGatewayError: the upstream answers table', () => {
  it.each([
    ['content_filter', 400, 'content_filter'],
    ['no_image', 502, 'NO_IMAGE'],
    ['auth', 502, 'UPSTREAM_AUTH_FAILED'],
    ['rate_limit', 429, 'UPSTREAM_RATE_LIMITED'],
    ['quota', 429, 'UPSTREAM_QUOTA_EXCEEDED'],
    ['bad_request', 400, 'UPSTREAM_BAD_REQUEST'],
    ['not_found', 502, 'UPSTREAM_MODEL_NOT_FOUND'],
    ['timeout', 504, 'GENERATION_TIMEOUT'],
    ['server', 502, 'UPSTREAM_ERROR'],
  ] as const)('answers %s with %i %s', (kind, status, code) => {
    const error = toGatewayError(new UpstreamError({ provider: 'p', kind, message: 'it broke' }));
    expect([error.status, error.code]).toEqual([status, code]);
  });

  it('passes a retry delay on as Retry-After only where a client should wait', () => {
    const limited = toGatewayError(new UpstreamError({ provider: 'p', kind: 'rate_limit', message: 'slow down', retryAfterMs: 1500 }));
    expect(limited.headers['retry-after']).toBe('2');
    const filtered = toGatewayError(new UpstreamError({ provider: 'p', kind: 'content_filter', message: 'no', retryAfterMs: 1500 }));
    expect(filtered.headers['retry-after']).toBeUndefined();
  });

  it.each(['constructor', 'toString', '__proto__', 'brand-new'])(
    'answers an unknown kind (%s) as an upstream failure, not a crash',
    (kind) => {
      const error = toGatewayError(new UpstreamError({ provider: 'p', kind: kind as UpstreamErrorKind, message: 'odd' }));
      expect([error.status, error.code, error.message]).toEqual([502, 'UPSTREAM_ERROR', 'Provider "p" failed: odd']);
    },
  );
});
