/**
 * What waiting code needs from a signal. An AbortSignal is one; so is a
 * LinkedSignal that has not had to make its AbortSignal yet: on Node 20 each
 * AbortSignal costs about 2 KB and a few microseconds, and ten thousand
 * streams waiting in the queue should not each hold one.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
  throwIfAborted(): void;
}

/**
 * Where an abort can come from: a signal, or a subscription that calls its
 * listener once with a reason and returns how to unsubscribe (a Node
 * response's close, without an AbortController of its own).
 */
export type AbortSource = CancelSignal | ((listener: (reason: unknown) => void) => () => void);

/** A signal that follows several sources and an optional deadline, and can be let go of. */
export interface LinkedSignal extends CancelSignal {
  /** A real AbortSignal that follows this one, made on first use (for fetch, sharp, providers). */
  readonly signal: AbortSignal;
  /** True when the deadline, not a source, aborted it. */
  readonly timedOut: boolean;
  /** Detaches from the sources and clears the deadline; call when the work ends. */
  dispose(): void;
  /** Aborts it directly, e.g. when the reader of a stream goes away. */
  abort(reason: unknown): void;
}

/**
 * Aborts when any source aborts (with its reason) or when `timeoutMs`
 * passes (with a TimeoutError). `AbortSignal.any` plus `AbortSignal.timeout`
 * would do the same, but their timer stays armed for the whole deadline after
 * the request ended and each costs a few KB; this one is cleared at once.
 *
 * @example
 * const link = linkSignals([request.signal], 600_000);
 * try { await work(link.signal); } finally { link.dispose(); }
 */
export function linkSignals(sources: readonly (AbortSource | undefined)[], timeoutMs?: number): LinkedSignal {
  return new Link(sources, timeoutMs);
}

// A class rather than an object literal with a getter: one of these lives as long as each stream, and
// the literal took V8's slow dictionary shape (several hundred bytes more per stream).
class Link implements LinkedSignal {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #listeners: Array<() => void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  #detachers: Array<() => void> | undefined;

  constructor(sources: readonly (AbortSource | undefined)[], timeoutMs: number | undefined) {
    for (const source of sources) {
      if (!source) continue;
      if (typeof source === 'function') {
        this.#follow(source((reason) => this.abort(reason)));
      } else if (source.aborted) {
        this.abort(source.reason);
      } else {
        const listener = () => this.abort(source.reason);
        source.addEventListener('abort', listener, { once: true });
        this.#follow(() => source.removeEventListener('abort', listener));
      }
      if (this.#aborted) return;
    }
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        this.abort(new DOMException(`The operation timed out after ${timeoutMs} ms.`, 'TimeoutError'));
      }, timeoutMs);
      this.#timer.unref?.();
    }
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get timedOut(): boolean {
    return this.#timedOut;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    // As with AbortSignal, a listener added after the abort is never called.
    if (this.#aborted) return;
    this.#listeners ??= [];
    this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.#listeners?.indexOf(listener) ?? -1;
    if (index >= 0) this.#listeners?.splice(index, 1);
  }

  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const detachers = this.#detachers;
    this.#detachers = undefined;
    if (detachers) for (const detach of detachers) detach();
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = asAbortError(reason);
    this.dispose();
    this.#controller?.abort(this.#reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  #follow(detach: () => void): void {
    if (this.#aborted) {
      detach();
      return;
    }
    this.#detachers ??= [];
    this.#detachers.push(detach);
  }
}

/**
 * A real AbortSignal for `signal`, for an API that takes nothing else
 * (fetch, node:timers/promises, sharp's queue): the signal itself when it
 * is one, a linked signal's own (made on first use, with no listener added),
 * else a new one that follows it.
 *
 * @example
 * const response = await fetch(url, { signal: toAbortSignal(signal) });
 */
export function toAbortSignal(signal: CancelSignal): AbortSignal {
  if (signal instanceof AbortSignal) return signal;
  if (signal instanceof Link) return signal.signal;
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}

/**
 * Some converters abort with a bare string ("Client connection prematurely
 * closed."); downstream, an abort must read as an AbortError, not as a crash.
 */
function asAbortError(reason: unknown): unknown {
  return reason instanceof Error ? reason : new DOMException(String(reason ?? 'The operation was aborted.'), 'AbortError');
}
