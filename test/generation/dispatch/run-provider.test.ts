import { describe, expect, it } from 'vitest';
import { runProvider } from '../../../src/generation/dispatch/run-provider.js';
import { linkSignals, toAbortSignal } from '../../../src/lib/cancel-signal.js';
import type { GenerationEvent, GenerationSignal, ImageProvider } from '../../../src/provider.js';
import { generationRequest } from '../../providers/generation-request-fixture.js';

function providerOf(generate: ImageProvider['generate']): ImageProvider {
  return { id: 'p', type: 'test', models: [], concurrency: 1, timeoutMs: 60_000, generate };
}

const text = (value: string): GenerationEvent => ({ type: 'text-delta', text: value });

describe('runProvider', () => {
  it('hands every event on in order, then settles', async () => {
    const seen: GenerationEvent[] = [];
    const provider = providerOf(async function* () {
      yield text('a');
      yield text('b');
      yield { type: 'finish', reason: 'stop' };
    });
    await runProvider(provider, generationRequest({ model: 'm' }), linkSignals([]), (event) => {
      seen.push(event);
    });
    expect(seen.map((event) => event.type)).toEqual(['text-delta', 'text-delta', 'finish']);
  });

  it('lets go of a provider that ignores its signal the moment the link aborts, and drops what it yields later', async () => {
    const seen: GenerationEvent[] = [];
    let release: () => void = () => {};
    const provider = providerOf(async function* () {
      yield text('before');
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      yield text('after');
    });
    const link = linkSignals([]);
    const reason = new Error('client left');
    const running = runProvider(provider, generationRequest({ model: 'm' }), link, (event) => {
      seen.push(event);
      if (event.type === 'text-delta' && event.text === 'before') setImmediate(() => link.abort(reason));
    });
    await expect(running).rejects.toBe(reason);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([text('before')]);
  });

  it('gives the provider the link itself, from which toAbortSignal makes a real AbortSignal that follows it', async () => {
    let received: GenerationSignal | undefined;
    const provider = providerOf(async function* (_request, signal) {
      received = signal;
      yield { type: 'finish', reason: 'stop' };
    });
    const link = linkSignals([]);
    await runProvider(provider, generationRequest({ model: 'm' }), link, () => {});
    expect(received).toBe(link);
    const abortSignal = toAbortSignal(received as GenerationSignal);
    expect(abortSignal).toBeInstanceOf(AbortSignal);
    expect(toAbortSignal(abortSignal)).toBe(abortSignal);
    const reason = new Error('later');
    link.abort(reason);
    expect(abortSignal.aborted).toBe(true);
    expect(abortSignal.reason).toBe(reason);
  });

  it('fails with what a hook threw, and lets the provider close what it holds', async () => {
    let closed = false;
    const provider = providerOf(async function* () {
      try {
        yield text('one');
        yield text('two');
      } finally {
        closed = true;
      }
    });
    const failure = new Error('encoder failed');
    const running = runProvider(provider, generationRequest({ model: 'm' }), linkSignals([]), () => {
      throw failure;
    });
    await expect(running).rejects.toBe(failure);
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(true);
  });

  it('lets a hook at work on an event finish before it settles an aborted attempt, and hands on nothing after', async () => {
    const seen: string[] = [];
    let finishHook: () => void = () => {};
    const provider = providerOf(async function* () {
      yield text('first');
      yield text('second');
    });
    const link = linkSignals([]);
    let settled = false;
    const running = runProvider(provider, generationRequest({ model: 'm' }), link, (event) => {
      seen.push(event.type === 'text-delta' ? event.text : event.type);
      link.abort(new Error('provider timeout'));
      return new Promise<void>((resolve) => {
        finishHook = resolve;
      });
    }).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    finishHook();
    await expect(running).rejects.toThrow('provider timeout');
    expect(seen).toEqual(['first']);
  });

  it('survives a custom iterator whose return() throws: no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const iterator: AsyncIterator<GenerationEvent> = {
        next: () => Promise.reject(new Error('upstream broke')),
        return: () => {
          throw new Error('return() not supported');
        },
      };
      const provider = providerOf(() => ({ [Symbol.asyncIterator]: () => iterator }));
      await expect(runProvider(provider, generationRequest({ model: 'm' }), linkSignals([]), () => {})).rejects.toThrow('upstream broke');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
