import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAbortError, UpstreamError } from '../../../src/errors/upstream-error.js';
import { toAbortSignal } from '../../../src/lib/cancel-signal.js';
import { createFluxProvider } from '../../../src/providers/flux/flux-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';
import { type FluxFake, startFluxFake } from '../../fakes/flux-fake.js';
import { collect, generationRequest } from '../generation-request-fixture.js';

let fake: FluxFake;
const apiKey = 'bfl-secret-key-789';

beforeAll(async () => {
  fake = await startFluxFake({ apiKey, pendingPolls: 1 });
});
afterAll(() => fake.close());

const fastContext = defaultProviderContext({ sleep: (_ms, signal) => sleep(1, undefined, { signal: toAbortSignal(signal) }) });
const provider = (key = apiKey) => createFluxProvider({ type: 'flux', apiKey: key, baseURL: fake.url }, fastContext);

async function failure(scenario: string, key?: string): Promise<UpstreamError> {
  const request = generationRequest({ model: 'flux-kontext-pro', prompt: `a fox [scenario:${scenario}]` });
  const error = await collect(provider(key).generate(request, new AbortController().signal)).then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (!UpstreamError.isInstance(error)) throw new Error(`scenario ${scenario} gave ${String(error)}`);
  expect(error.message).not.toContain(apiKey);
  return error;
}

describe('flux provider failures', () => {
  it.each([
    ['request-moderated', { kind: 'content_filter', retryable: false }, /refused the prompt.*Derivative Works Filter/],
    ['content-moderated', { kind: 'content_filter', retryable: false }, /filtered the generated image/],
    ['error', { kind: 'server', retryable: true }, /"Error".*Internal generation failure/],
    ['task-not-found', { kind: 'server', retryable: false }, /Task not found/],
  ])('maps the poll status of "%s"', async (scenario, expected, message) => {
    const error = await failure(scenario);
    expect(error).toMatchObject(expected);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['bad-key', { kind: 'auth', status: 403, retryable: false }, /Not authenticated/],
    ['credits', { kind: 'quota', status: 402, retryable: false }, /Insufficient credits/],
    ['validation', { kind: 'bad_request', status: 422, retryable: false }, /body\.prompt: Field required/],
    ['rate-limit', { kind: 'rate_limit', status: 429, retryable: true, retryAfterMs: 7000 }, /active tasks/],
    ['server-error', { kind: 'server', status: 500, retryable: true }, /Internal Server Error/],
    ['overload', { kind: 'server', status: 503, retryable: true }, /temporarily unavailable/],
  ])('maps the submit answer of "%s" with its detail', async (scenario, expected, message) => {
    const error = await failure(scenario);
    expect(error).toMatchObject(expected);
    expect(error.message).toMatch(message);
  });

  it('maps a refused key to auth without leaking it', async () => {
    const error = await failure('happy', 'wrong-bfl-key');
    expect(error).toMatchObject({ kind: 'auth', status: 403 });
    expect(error.message).not.toContain('wrong-bfl-key');
  });
});

describe('flux provider: abort', () => {
  it('stops polling at once when the signal aborts between polls', async () => {
    const controller = new AbortController();
    const before = fake.requests.length;
    const slowSleep = defaultProviderContext();
    const flux = createFluxProvider(
      { type: 'flux', apiKey, baseURL: fake.url, pollIntervalMs: 60_000, maxPollIntervalMs: 60_000 },
      slowSleep,
    );
    const pending = collect(
      flux.generate(generationRequest({ model: 'flux-kontext-pro', prompt: 'x [scenario:slow]' }), controller.signal),
    );
    const submit = await fake.waitForRequests(before + 1);
    await submit.closed;
    const started = Date.now();
    controller.abort(new DOMException('client went away', 'AbortError'));
    const error = await pending.catch((rejection: unknown) => rejection);
    expect(isAbortError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(fake.requests.length).toBe(before + 1);
  });

  it('cuts a poll in flight and the fake sees the connection closed', async () => {
    const slowPolls = await startFluxFake({ apiKey, pollDelayMs: 20_000 });
    try {
      const controller = new AbortController();
      const flux = createFluxProvider({ type: 'flux', apiKey, baseURL: slowPolls.url }, fastContext);
      const pending = collect(flux.generate(generationRequest({ model: 'flux-kontext-pro' }), controller.signal));
      const poll = await slowPolls.waitForRequests(2);
      const started = Date.now();
      controller.abort(new DOMException('client went away', 'AbortError'));
      const error = await pending.catch((rejection: unknown) => rejection);
      expect(isAbortError(error)).toBe(true);
      expect(UpstreamError.isInstance(error)).toBe(false);
      expect(Date.now() - started).toBeLessThan(1000);
      await poll.closed;
      expect(poll.clientAborted).toBe(true);
    } finally {
      await slowPolls.close();
    }
  });
});
