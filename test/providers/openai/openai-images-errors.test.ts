import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/errors/upstream-error.js';
import type { ImageProvider } from '../../../src/provider.js';
import { createOpenAIImagesProvider } from '../../../src/providers/openai/openai-images-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';
import { type OpenAIImagesFake, startOpenAIImagesFake } from '../../fakes/openai-images-fake.js';
import { collect, generationRequest } from '../generation-request-fixture.js';

const apiKey = 'sk-proj-verysecretvalue-wxyz';
let fake: OpenAIImagesFake;
let provider: ImageProvider;

beforeAll(async () => {
  fake = await startOpenAIImagesFake({ delayMs: 20_000 });
  provider = createOpenAIImagesProvider({ type: 'openai', apiKey, baseURL: fake.url }, defaultProviderContext());
});
afterAll(() => fake.close());

async function failureFor(prompt: string, model = 'gpt-image-1', stream = false): Promise<UpstreamError> {
  const error = await collect(provider.generate(generationRequest({ model, prompt, stream }), new AbortController().signal)).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(UpstreamError.isInstance(error)).toBe(true);
  return error as UpstreamError;
}

describe('openai images provider: upstream failures', () => {
  it.each([
    ['moderation', 'gpt-image-1', 'content_filter', 400, false],
    ['content-policy', 'dall-e-3', 'content_filter', 400, false],
    ['quota', 'gpt-image-1', 'quota', 429, false],
    ['server-error', 'gpt-image-1', 'server', 500, true],
    ['overload', 'gpt-image-1', 'server', 503, true],
    ['no-retry', 'gpt-image-1', 'server', 500, false],
  ])('maps the %s scenario (%s) to kind %s', async (scenario, model, kind, status, retryable) => {
    const error = await failureFor(`a cat [scenario:${scenario}]`, model);
    expect({ kind: error.kind, status: error.status, retryable: error.retryable }).toEqual({ kind, status, retryable });
  });

  it('keeps the moderation message for the client and names the code', async () => {
    const error = await failureFor('a cat [scenario:moderation]');
    expect(error.message).toContain('rejected by the safety system');
    expect(error.message).toContain('moderation_blocked');
  });

  it('maps a refused key to auth without echoing any part of the key', async () => {
    const error = await failureFor('a cat [scenario:bad-key]');
    expect(error.kind).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('wxyz');
    expect(error.message).not.toContain('sk-');
    expect(JSON.stringify(error)).not.toContain(apiKey);
  });

  it('reads retry-after (seconds) and retry-after-ms on rate limits', async () => {
    const seconds = await failureFor('a cat [scenario:rate-limit]');
    expect({ kind: seconds.kind, retryable: seconds.retryable, retryAfterMs: seconds.retryAfterMs }).toEqual({
      kind: 'rate_limit',
      retryable: true,
      retryAfterMs: 7000,
    });
    const milliseconds = await failureFor('a cat [scenario:rate-limit-ms]');
    expect(milliseconds.retryAfterMs).toBe(1500);
  });

  it('treats a 200 without images as no_image', async () => {
    const error = await failureFor('a cat [scenario:empty]');
    expect(error.kind).toBe('no_image');
  });

  it('turns an unreachable upstream into a retryable server error', async () => {
    const closed = createOpenAIImagesProvider({ type: 'openai', apiKey, baseURL: 'http://127.0.0.1:1' }, defaultProviderContext());
    const error = await collect(closed.generate(generationRequest({ model: 'gpt-image-1' }), new AbortController().signal)).catch(
      (caught: unknown) => caught,
    );
    expect(UpstreamError.isInstance(error) && [error.kind, error.retryable]).toEqual(['server', true]);
  });

  it('rejects promptly with the abort reason when the caller aborts a slow call, and the fake sees the client leave', async () => {
    const controller = new AbortController();
    const pending = collect(
      provider.generate(generationRequest({ model: 'gpt-image-1', prompt: 'a cat [scenario:slow]' }), controller.signal),
    );
    while (fake.requests.length === 0 || !fake.requests.at(-1)?.json?.prompt?.toString().includes('slow'))
      await new Promise((resolve) => setImmediate(resolve));
    const started = Date.now();
    const reason = new DOMException('client left', 'AbortError');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
    while (fake.abandoned === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fake.abandoned).toBe(1);
  });
});

describe('openai images provider: config', () => {
  it('requires an apiKey for api.openai.com and names the option', () => {
    expect(() => createOpenAIImagesProvider({ type: 'openai' }, defaultProviderContext())).toThrow(/apiKey: is required/);
  });

  it('refuses credentials in the baseURL, which fetch would echo into error messages', () => {
    expect(() =>
      createOpenAIImagesProvider({ type: 'openai', apiKey, baseURL: 'https://user:pw@relay.example' }, defaultProviderContext()),
    ).toThrow(/baseURL: must not contain credentials/);
  });

  it('names a bad type-specific option', () => {
    expect(() => createOpenAIImagesProvider({ type: 'openai', apiKey, partialImages: 7 }, defaultProviderContext())).toThrow(
      /partialImages: must be 0 to 3/,
    );
  });

  it('lists its models with capabilities and never the key', () => {
    const ids = provider.models.map((model) => model.id);
    expect(ids).toEqual(['gpt-image-1', 'gpt-image-1-mini', 'gpt-image-1.5', 'dall-e-3', 'dall-e-2']);
    const dalle3 = provider.models.find((model) => model.id === 'dall-e-3')!.capabilities;
    expect({ imageInput: dalle3.imageInput, maxImagesPerRequest: dalle3.maxImagesPerRequest }).toEqual({
      imageInput: false,
      maxImagesPerRequest: 1,
    });
    expect(provider.models.find((model) => model.id === 'gpt-image-1')!.capabilities).toMatchObject({
      imageOutput: true,
      text: false,
      maxInputImages: 10,
      maxImagesPerRequest: 10,
    });
    expect(JSON.stringify(provider.models)).not.toContain(apiKey);
  });

  it('serves configured model names with their family capabilities', () => {
    const configured = createOpenAIImagesProvider(
      { type: 'openai', apiKey, models: ['gpt-image-2', 'dall-e-3', { id: 'gpt-image-1', aliases: ['image'] }] },
      defaultProviderContext(),
    );
    expect(configured.models.map((model) => [model.id, model.capabilities.sizes?.length ?? 'any'])).toEqual([
      ['gpt-image-2', 'any'],
      ['dall-e-3', 3],
      ['gpt-image-1', 3],
    ]);
    expect(configured.models[2]?.aliases).toEqual(['image']);
  });
});
