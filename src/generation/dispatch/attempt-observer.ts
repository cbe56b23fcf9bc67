import type { GenerationEvent, GenerationRequest } from '../../provider.js';
import type { ModelRoute } from '../routing/model-registry.js';

/**
 * Watches the attempts of dispatch from above (metrics, traces): dispatch
 * calls it, the observability floor implements it, so the core knows no
 * metrics or tracing library. Absent, dispatch does nothing more per attempt.
 *
 * @example
 * const observer: AttemptObserver = { start: (route, attempt) => ({ run: (call) => call(), event() {}, end() {} }) };
 */
export interface AttemptObserver {
  /**
   * An attempt starts on `route`, after `queueMs` in the queue. Returns the
   * attempt's watch, or undefined to watch nothing more of it.
   */
  start(route: ModelRoute, attempt: number, queueMs: number, request: Omit<GenerationRequest, 'model'>): AttemptWatch | undefined;
}

/** One attempt, watched: from its start to how it ended. */
export interface AttemptWatch {
  /** Runs the provider's call inside the attempt's own context (a trace span), so its upstream calls carry it. */
  run<T>(call: () => T): T;
  /** Each event the provider yields, in order (first-chunk time, usage, image bytes). */
  event(event: GenerationEvent): void;
  /** The attempt ended: without `error` it served the request. */
  end(error?: unknown): void;
}
