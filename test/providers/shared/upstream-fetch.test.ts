import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/errors/upstream-error.js';
import { fetchUpstream, redactUrl } from '../../../src/providers/shared/upstream-fetch.js';
import { httpOverFetch } from '../../../src/providers/shared/upstream-http.js';

describe('fetchUpstream', () => {
  it('turns a network failure into a retryable server error that carries no credentials', async () => {
    const failingFetch = (async () => {
      throw new TypeError('fetch failed https://user:secret-pass@127.0.0.1:1/v1?key=AIza-secret', { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof fetch;
    const error = await fetchUpstream({
      provider: 'gemini',
      url: 'https://user:secret-pass@127.0.0.1:1/v1?key=AIza-secret',
      init: { method: 'POST' },
      signal: new AbortController().signal,
      http: httpOverFetch(failingFetch),
    }).catch((caught: unknown) => caught);
    expect(UpstreamError.isInstance(error)).toBe(true);
    const upstream = error as UpstreamError;
    expect(upstream).toMatchObject({ kind: 'server', retryable: true });
    expect(upstream.message).toContain('ECONNREFUSED');
    expect(upstream.message).not.toMatch(/secret/);
  });

  it('lets an abort through untouched', async () => {
    const controller = new AbortController();
    const reason = new DOMException('client left', 'AbortError');
    controller.abort(reason);
    const abortingFetch = (async () => {
      throw reason;
    }) as unknown as typeof fetch;
    const error = await fetchUpstream({
      provider: 'x',
      url: 'https://a.test/',
      init: {},
      signal: controller.signal,
      http: httpOverFetch(abortingFetch),
    }).catch((caught: unknown) => caught);
    expect(error).toBe(reason);
  });

  it('redacts user info and key-like query parameters', () => {
    expect(redactUrl('https://u:p@host.test/x?key=abc&alt=sse')).toBe('https://host.test/x?key=REDACTED&alt=sse');
  });
});
