import { describe, expect, it } from 'vitest';
import { openAIErrorFromEvent, openAIErrorFromResponse } from '../../../src/providers/shared/openai-error.js';

const context = { provider: 'openai', url: 'https://api.openai.com/v1/images/generations' };

function fromResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return openAIErrorFromResponse(new Response(null, { status, headers }), typeof body === 'string' ? body : JSON.stringify(body), context);
}

describe('openAIErrorFromResponse', () => {
  it('lets x-should-retry override the status-based decision both ways', () => {
    expect(
      fromResponse(400, { error: { message: 'try later', type: 'invalid_request_error', code: null } }, { 'x-should-retry': 'true' })
        .retryable,
    ).toBe(true);
    expect(
      fromResponse(503, { error: { message: 'down', type: 'server_error', code: null } }, { 'x-should-retry': 'false' }).retryable,
    ).toBe(false);
  });

  it('takes the delay from the message when a 429 has no retry headers', () => {
    const error = fromResponse(429, {
      error: { message: 'Rate limit reached. Please try again in 850ms.', type: 'requests', code: 'rate_limit_exceeded' },
    });
    expect([error.kind, error.retryAfterMs]).toEqual(['rate_limit', 850]);
  });

  it('reads an HTTP-date retry-after against the injected clock', () => {
    const error = openAIErrorFromResponse(
      new Response(null, { status: 429, headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' } }),
      '{"error":{"message":"slow down","code":"rate_limit_exceeded"}}',
      { ...context, now: () => Date.parse('Thu, 01 Jan 2026 00:00:00 GMT') },
    );
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('copes with bodies that are not the envelope (HTML from a proxy, a bare string error)', () => {
    const html = fromResponse(502, '<html><body>Bad gateway</body></html>');
    expect([html.kind, html.retryable, html.message]).toEqual(['server', true, '<html><body>Bad gateway</body></html> (502 error)']);
    expect(fromResponse(400, { error: 'model is required' }).message).toBe('model is required (400 error)');
  });

  it('scrubs key fragments from any message, not only 401s', () => {
    const error = fromResponse(403, {
      error: { message: 'Key sk-proj-abc...wxyz is not allowed to use this model', type: 'invalid_request_error', code: null },
    });
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain('sk-proj');
  });

  it('maps unknown models to not_found', () => {
    expect(
      fromResponse(404, {
        error: { message: 'The model `gpt-image-9` does not exist', type: 'invalid_request_error', code: 'model_not_found' },
      }).kind,
    ).toBe('not_found');
  });
});

describe('openAIErrorFromEvent', () => {
  it('ignores events without an error key', () => {
    expect(openAIErrorFromEvent({ type: 'image_generation.completed' }, context)).toBeUndefined();
  });

  it('classifies mid-stream errors by code, including OpenRouter numeric codes', () => {
    expect(openAIErrorFromEvent({ type: 'error', error: { message: 'blocked', code: 'moderation_blocked' } }, context)?.kind).toBe(
      'content_filter',
    );
    const openRouter = openAIErrorFromEvent({ error: { message: 'Rate limited upstream', code: 429 } }, context);
    expect([openRouter?.kind, openRouter?.status, openRouter?.retryable]).toEqual(['rate_limit', 429, true]);
    expect(openAIErrorFromEvent({ error: { message: 'boom' } }, context)?.kind).toBe('server');
  });
});
