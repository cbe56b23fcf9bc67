import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/errors/upstream-error.js';
import type { GenerationEvent, ImageProvider } from '../../../src/provider.js';
import { createOpenAIChatProvider } from '../../../src/providers/openai-chat/openai-chat-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';
import { type OpenAIChatFake, startOpenAIChatFake } from '../../fakes/openai-chat-fake.js';
import { generationRequest } from '../generation-request-fixture.js';

const apiKey = 'sk-relay-topsecret-9876';
let fake: OpenAIChatFake;
let provider: ImageProvider;

beforeAll(async () => {
  fake = await startOpenAIChatFake({ delayMs: 20_000 });
  provider = createOpenAIChatProvider(
    { type: 'openai-chat', apiKey, baseURL: fake.url, models: ['gpt-4o-image'] },
    defaultProviderContext(),
  );
});
afterAll(() => fake.close());

/** Runs a request to its failure, keeping the events seen before it. */
async function failureFor(prompt: string, stream = false): Promise<{ error: UpstreamError; seen: GenerationEvent[] }> {
  const seen: GenerationEvent[] = [];
  let caught: unknown;
  try {
    for await (const event of provider.generate(generationRequest({ model: 'gpt-4o-image', prompt, stream }), new AbortController().signal))
      seen.push(event);
  } catch (error) {
    caught = error;
  }
  expect(UpstreamError.isInstance(caught)).toBe(true);
  return { error: caught as UpstreamError, seen };
}

describe('openai-chat provider: upstream failures', () => {
  it.each([
    ['rate-limit', 'rate_limit', 429, true, 3000],
    ['quota', 'quota', 429, false, undefined],
    ['server-error', 'server', 500, true, undefined],
    ['overload', 'server', 503, true, undefined],
    ['openrouter-error', 'quota', 402, false, undefined],
  ])('maps %s to kind %s', async (scenario, kind, status, retryable, retryAfterMs) => {
    for (const stream of [false, true]) {
      const { error } = await failureFor(`draw [scenario:${scenario}]`, stream);
      expect({ kind: error.kind, status: error.status, retryable: error.retryable, retryAfterMs: error.retryAfterMs }).toEqual({
        kind,
        status,
        retryable,
        retryAfterMs,
      });
    }
  });

  it('maps a refused key to auth without repeating any part of the key', async () => {
    const { error } = await failureFor('draw [scenario:bad-key]');
    expect([error.kind, error.status, error.retryable]).toEqual(['auth', 401, false]);
    expect(error.message).not.toMatch(/9876|sk-/);
  });

  it('drops the "(request id: ...)" suffix relays append', async () => {
    const { error } = await failureFor('draw [scenario:relay-error]');
    expect(error.kind).toBe('server');
    expect(error.message).toContain('upstream error: do request failed');
    expect(error.message).not.toContain('request id');
  });

  it('turns a mid-stream error chunk into an UpstreamError after the text already streamed', async () => {
    const { error, seen } = await failureFor('hi [scenario:mid-stream-error]', true);
    expect(seen.map((event) => event.type)).toEqual(['text-delta', 'text-delta']);
    expect([error.kind, error.retryable]).toEqual(['server', true]);
  });

  it('fails a stream that is cut off before it finished', async () => {
    const { error } = await failureFor('hi [scenario:truncated]', true);
    expect(error.kind).toBe('server');
  });

  it('rejects promptly with the abort reason when the caller aborts a slow relay call', async () => {
    for (const stream of [false, true]) {
      const controller = new AbortController();
      const before = fake.requests.length;
      const pending = (async () => {
        for await (const _event of provider.generate(
          generationRequest({ model: 'gpt-4o-image', prompt: 'draw [scenario:slow]', stream }),
          controller.signal,
        )) {
          // Nothing arrives before the abort.
        }
      })();
      while (fake.requests.length === before) await new Promise((resolve) => setImmediate(resolve));
      const abandonedBefore = fake.abandoned;
      const started = Date.now();
      const reason = new DOMException('client left', 'AbortError');
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      expect(Date.now() - started).toBeLessThan(1000);
      while (fake.abandoned === abandonedBefore) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });

  it('refuses a model the instance does not serve without calling upstream', async () => {
    const before = fake.requests.length;
    const error = await (async () => {
      for await (const _event of provider.generate(generationRequest({ model: 'other-model' }), new AbortController().signal)) {
        // Unreachable.
      }
    })().catch((caught: unknown) => caught);
    expect(UpstreamError.isInstance(error) && error.kind).toBe('not_found');
    expect(fake.requests.length).toBe(before);
  });
});
