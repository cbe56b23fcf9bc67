import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAbortError, UpstreamError } from '../../../src/errors/upstream-error.js';
import type { GenerationEvent } from '../../../src/provider.js';
import { createGeminiProvider } from '../../../src/providers/gemini/gemini-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';
import { type GeminiFake, startGeminiFake } from '../../fakes/gemini-fake.js';
import { collect, generationRequest } from '../generation-request-fixture.js';

let fake: GeminiFake;
const apiKey = 'secret-gemini-key-123';

beforeAll(async () => {
  fake = await startGeminiFake({ apiKey, slowMs: 20_000 });
});
afterAll(() => fake.close());

const provider = (key = apiKey) => createGeminiProvider({ type: 'gemini', apiKey: key, baseURL: fake.url }, defaultProviderContext());

async function failure(scenario: string, options: { stream?: boolean; model?: string; key?: string } = {}) {
  const request = generationRequest({
    model: 'gemini-2.5-flash-image',
    prompt: `draw it [scenario:${scenario}]`,
    stream: options.stream ?? false,
  });
  if (options.model) request.model = options.model;
  const seen: GenerationEvent[] = [];
  try {
    for await (const event of provider(options.key).generate(request, new AbortController().signal)) seen.push(event);
  } catch (error) {
    expect(UpstreamError.isInstance(error)).toBe(true);
    expect((error as Error).message).not.toContain(apiKey);
    return { error: error as UpstreamError, seen };
  }
  throw new Error(`scenario ${scenario} did not fail`);
}

describe.each([false, true])('gemini provider failures (stream: %s)', (stream) => {
  it.each([
    ['prompt-block', 'content_filter', /blocked the prompt \(PROHIBITED_CONTENT\)/, false],
    ['output-block', 'content_filter', /IMAGE_SAFETY.*Prohibited Use policy/, false],
    // Another instance may draw what this one did not: NO_IMAGE falls back (issue 18 item 2).
    ['no-image', 'no_image', /NO_IMAGE/, true],
    ['text-refusal', 'no_image', /STOP.*I cannot fulfill this request/, true],
  ])('turns the 200 answer "%s" into a %s error (retryable: %s)', async (scenario, kind, message, retryable) => {
    const { error, seen } = await failure(scenario, { stream });
    expect(error).toMatchObject({ kind, status: 200, retryable });
    expect(error.message).toMatch(message);
    // The refusal text is in the error, not half-sent to the client first.
    expect(seen.filter((event) => event.type === 'text-delta')).toEqual([]);
  });

  it('maps a 429 with RetryInfo to a retryable rate_limit with that delay', async () => {
    const { error } = await failure('rate-limit', { stream });
    expect(error).toMatchObject({ kind: 'rate_limit', status: 429, retryable: true, retryAfterMs: 46_100 });
  });

  it('maps a bare 429 (billing) to quota, not retryable', async () => {
    const { error } = await failure('billing', { stream });
    expect(error).toMatchObject({ kind: 'quota', status: 429, retryable: false });
    expect(error.message).toMatch(/prepayment credits are depleted/);
  });

  it.each([
    ['overload', 503],
    ['internal', 500],
    ['deadline', 504],
  ])('maps %s to a retryable server error', async (scenario, status) => {
    const { error } = await failure(scenario, { stream });
    expect(error).toMatchObject({ kind: 'server', status, retryable: true });
  });
});

describe('gemini provider: auth and stream errors', () => {
  it('maps 400 API_KEY_INVALID to auth without leaking the key', async () => {
    const { error } = await failure('happy', { key: 'wrong-key-456' });
    expect(error).toMatchObject({ kind: 'auth', status: 400, retryable: false });
    expect(error.message).not.toContain('wrong-key-456');
  });

  it('maps a 403 (no key reached Google) to auth', async () => {
    const noKey = createGeminiProvider({ type: 'gemini', baseURL: fake.url, headers: { 'x-proxy': '1' } }, defaultProviderContext());
    const attempt = collect(noKey.generate(generationRequest({ model: 'gemini-2.5-flash-image' }), new AbortController().signal));
    await expect(attempt).rejects.toMatchObject({ kind: 'auth', status: 403 });
  });

  it('maps an error event in the middle of a stream to an UpstreamError after the reasoning already sent', async () => {
    const { error, seen } = await failure('mid-stream-error', { stream: true, model: 'gemini-3-pro-image-preview' });
    expect(error).toMatchObject({ kind: 'server', status: 503, retryable: true });
    expect(error.message).toMatch(/mid-stream.*overloaded/);
    expect(seen.map((event) => event.type)).toEqual(['reasoning-delta']);
  });
});

describe('gemini provider: abort', () => {
  it.each([false, true])(
    'rejects promptly with the abort reason during a slow request (stream: %s) and closes the connection',
    async (stream) => {
      const before = fake.requests.length;
      const controller = new AbortController();
      const request = generationRequest({ model: 'gemini-2.5-flash-image', prompt: 'slowly [scenario:slow]', stream });
      const pending = collect(provider().generate(request, controller.signal));
      const received = await fake.waitForRequests(before + 1);
      const started = Date.now();
      controller.abort(new DOMException('client went away', 'AbortError'));

      const error = await pending.then(
        () => undefined,
        (rejection: unknown) => rejection,
      );
      expect(isAbortError(error)).toBe(true);
      expect(UpstreamError.isInstance(error)).toBe(false);
      expect(Date.now() - started).toBeLessThan(1000);
      await received.closed;
      expect(received.clientAborted).toBe(true);
    },
  );
});
