import { describe, expect, it, vi } from 'vitest';
import { linkSignals } from '../../src/lib/cancel-signal.js';

describe('linkSignals', () => {
  it('follows signals, subscriptions and other links, and tells listeners once', () => {
    const source = new AbortController();
    let notify: ((reason: unknown) => void) | undefined;
    const unsubscribe = vi.fn();
    const parent = linkSignals([
      source.signal,
      (listener) => {
        notify = listener;
        return unsubscribe;
      },
    ]);
    const child = linkSignals([parent]);
    const heard = vi.fn();
    child.addEventListener('abort', heard);
    notify?.(new DOMException('client left', 'AbortError'));
    expect(parent.aborted).toBe(true);
    expect(child.aborted).toBe(true);
    expect((child.reason as DOMException).message).toBe('client left');
    expect(heard).toHaveBeenCalledTimes(1);
    expect(() => child.throwIfAborted()).toThrow('client left');
    // Aborting detached it from every source.
    expect(unsubscribe).toHaveBeenCalledTimes(1);
    source.abort();
    expect(heard).toHaveBeenCalledTimes(1);
  });

  it('makes its AbortSignal only when asked, already aborted if it is', () => {
    const link = linkSignals([], 60_000);
    link.abort(new Error('stop'));
    const late = vi.fn();
    link.addEventListener('abort', late);
    expect(late).not.toHaveBeenCalled();
    expect(link.signal.aborted).toBe(true);
    expect((link.signal.reason as Error).message).toBe('stop');
  });

  it('aborts its AbortSignal and listeners on the deadline, marked timedOut', async () => {
    const link = linkSignals([], 5);
    const signal = link.signal;
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(link.timedOut).toBe(true);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('stops listening when disposed', () => {
    const source = new AbortController();
    const link = linkSignals([source.signal], 60_000);
    link.dispose();
    source.abort();
    expect(link.aborted).toBe(false);
  });

  it('removes a listener', () => {
    const link = linkSignals([]);
    const heard = vi.fn();
    link.addEventListener('abort', heard);
    link.removeEventListener('abort', heard);
    link.abort('x');
    expect(heard).not.toHaveBeenCalled();
    expect((link.reason as DOMException).name).toBe('AbortError');
  });
});
