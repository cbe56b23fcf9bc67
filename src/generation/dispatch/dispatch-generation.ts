import { providerUnavailableError } from '../../errors/admission-errors.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import { networkErrorCode, networkFailureDetail, networkFailureKind } from '../../errors/network-failure.js';
import { UpstreamError, withRetryAfterAtMost } from '../../errors/upstream-error.js';
import { type CancelSignal, type LinkedSignal, linkSignals } from '../../lib/cancel-signal.js';
import type { GenerationEvent, GenerationRequest } from '../../provider.js';
import type { AdmissionScheduler } from '../admission/admission-scheduler.js';
import type { QueueTicket } from '../admission/slot-scheduler.js';
import { countsAgainstHealth, type InstanceHealth } from '../routing/instance-health.js';
import type { ModelRoute } from '../routing/model-registry.js';
import type { AttemptObserver, AttemptWatch } from './attempt-observer.js';
import { AttemptOutput } from './attempt-output.js';
import { runProvider } from './run-provider.js';

export interface DispatchHooks {
  /** Receives every event of the attempt that is running. */
  onEvent(event: GenerationEvent): void | Promise<void>;
  /** Whether a failed attempt may still be replaced by another (false once a stream sent content). */
  canRetry(): boolean;
  /** The request is waiting for a slot. */
  onQueued?(ticket: QueueTicket): void;
  /** An attempt starts on `route`. */
  onAttempt?(route: ModelRoute, attempt: number): void;
}

export interface DispatchOptions {
  routes: readonly ModelRoute[];
  request: Omit<GenerationRequest, 'model'>;
  /** The client's signal combined with the request's total deadline. */
  signal: CancelSignal;
  /** Aborts running generations when the gateway shuts down. */
  shutdownSignal: CancelSignal;
  maxAttempts: number;
  scheduler: AdmissionScheduler;
  health: InstanceHealth;
  now: () => number;
  hooks: DispatchHooks;
  /** Hears every failed attempt with the upstream's own account of it (for the log: clients get fixed sentences). */
  onAttemptFailed?: (route: ModelRoute, error: unknown, attempt: number) => void;
  /** Watches each attempt (metrics, traces); none: nothing more per attempt. */
  observer?: AttemptObserver;
}

/** What was tried, whatever came of it: for the diagnostic headers, the usage record and the queue figures. */
interface DispatchFigures {
  /** The route of the last attempt (the one that served, on success); none when nothing ran. */
  route: ModelRoute | undefined;
  attempts: number;
  queueMs: number;
}

/** How a dispatch ended: served by `route`, or failed with `error` (the last attempt's, or why none ran). */
export type DispatchOutcome =
  | (DispatchFigures & { ok: true; route: ModelRoute; generationMs: number })
  | (DispatchFigures & { ok: false; error: unknown });

/**
 * Runs a generation: waits for a slot on any of the routes' instances (or
 * for one of them to reopen after a cooldown), runs the provider under the
 * request signal plus the provider's timeout, and on a retryable upstream
 * failure moves on to an instance not yet tried that reopens within the
 * request's remaining wait budget, up to `maxAttempts`; a fallback keeps its
 * place in line. An attempt that ends without the image the request needs
 * (`imageRequired`; `wantsImage` is only a hint) fails as NO_IMAGE, like any other retryable failure; a
 * network error a provider let through unwrapped counts as the upstream's
 * failure. Every path releases the slot it took. It never throws: the
 * outcome says what happened and what it took.
 */
export async function dispatchGeneration(options: DispatchOptions): Promise<DispatchOutcome> {
  const tried = new Set<string>();
  // Plain locals, no closure over them: ten thousand dispatches wait in the queue at once, and a
  // closure would give each of their frames a context object of its own.
  let route: ModelRoute | undefined;
  let attempts = 0;
  let queueMs = 0;
  let lastError: unknown;
  // When the request first joined the queue: a fallback keeps its place in line and its wait budget.
  let arrivedAt: number | undefined;

  while (attempts < options.maxAttempts) {
    const remaining = options.routes.filter(
      (candidate) =>
        !tried.has(candidate.provider.id) && (attempts === 0 || options.scheduler.reopensInTime(candidate.provider.id, queueMs)),
    );
    if (remaining.length === 0) break;
    const candidates = [...new Set(remaining.map((candidate) => candidate.provider.id))];
    const enqueuedAt = options.now();
    const ticket = options.scheduler.enqueue({
      candidates,
      stream: options.request.stream,
      signal: options.signal,
      arrivedAt,
      waitedMs: queueMs,
    });
    arrivedAt ??= enqueuedAt;
    options.hooks.onQueued?.(ticket);
    let slot: Awaited<QueueTicket['slot']>;
    try {
      slot = await ticket.slot;
    } catch (error) {
      return { ok: false, error, route, attempts, queueMs };
    }
    queueMs += slot.queueMs;
    // The scheduler admitted the request to the instance's circuit with the slot (as its probe when half-open).
    const served = remaining.find((candidate) => candidate.provider.id === slot.instanceId) as ModelRoute;
    tried.add(served.provider.id);
    if (options.signal.aborted) {
      // The client left between the slot being handed over and this line: do not start the provider.
      options.health.onAbandon(served.provider.id, slot.probe);
      slot.release('aborted');
      return { ok: false, error: options.signal.reason, route, attempts, queueMs };
    }
    attempts += 1;
    route = served;
    options.hooks.onAttempt?.(served, attempts);

    const link = linkSignals([options.signal, options.shutdownSignal], served.provider.timeoutMs);
    const startedAt = options.now();
    const watch = options.observer?.start(served, attempts, slot.queueMs, options.request);
    try {
      const output = (options.request.imageRequired ?? options.request.wantsImage) ? new AttemptOutput() : undefined;
      const onEvent = output ? watched(output, options.hooks) : options.hooks.onEvent;
      const request = { ...options.request, model: served.model.id };
      await (watch
        ? watch.run(() => runProvider(served.provider, request, link, observed(watch, onEvent)))
        : runProvider(served.provider, request, link, onEvent));
      const missing = output?.missingImage(served.provider.id);
      if (missing) throw missing;
      // Health first: the release hands the slot to a waiter, which must see the circuit as it now is.
      options.health.onSuccess(served.provider.id, slot.probe);
      slot.release('completed');
      watch?.end();
      return { ok: true, route: served, attempts, queueMs, generationMs: options.now() - startedAt };
    } catch (caught) {
      // A provider timeout is an upstream failure like any other: retryable on another instance.
      const error = cappedRetryDelay(
        link.timedOut && !options.signal.aborted && !options.shutdownSignal.aborted
          ? timeoutError(served)
          : reasonFor(caught, options, link, served),
        options.health,
      );
      watch?.end(error);
      if (options.signal.aborted || options.shutdownSignal.aborted) {
        options.health.onAbandon(served.provider.id, slot.probe);
        slot.release('aborted');
        return { ok: false, error, route, attempts, queueMs };
      }
      options.onAttemptFailed?.(served, error, attempts);
      const upstream = UpstreamError.isInstance(error) ? error : undefined;
      if (upstream && countsAgainstHealth(upstream)) options.health.onFailure(served.provider.id, upstream, slot.probe);
      else options.health.onAbandon(served.provider.id, slot.probe);
      slot.release('failed');
      lastError = error;
      if (!upstream?.retryable || !options.hooks.canRetry()) return { ok: false, error, route, attempts, queueMs };
    } finally {
      link.dispose();
    }
  }
  return { ok: false, error: lastError ?? unavailable(options.routes, options.health), route, attempts, queueMs };
}

/** No candidate could be tried (none reopens within the wait budget). */
function unavailable(routes: readonly ModelRoute[], health: InstanceHealth): GatewayError {
  return providerUnavailableError(
    'could serve this request is recovering from failures',
    health.secondsUntilAvailable(routes.map((route) => route.provider.id)),
  );
}

/** An upstream's retry delay, at most the cooldown an open circuit imposes (routing.cooldownMs): for the instance's cooling and the client's Retry-After alike. */
function cappedRetryDelay(error: unknown, health: InstanceHealth): unknown {
  return UpstreamError.isInstance(error) ? withRetryAfterAtMost(error, health.options.cooldownMs) : error;
}

/** The attempt's events, shown to its watch on their way to the hook. */
function observed(watch: AttemptWatch, onEvent: DispatchHooks['onEvent']): DispatchHooks['onEvent'] {
  return (event) => {
    watch.event(event);
    return onEvent(event);
  };
}

/** The attempt's events, noted on their way to the hook. */
function watched(output: AttemptOutput, hooks: DispatchHooks): DispatchHooks['onEvent'] {
  return (event) => {
    output.note(event);
    return hooks.onEvent(event);
  };
}

/**
 * What actually stopped the attempt: the request's own abort reason wins over
 * what the provider threw; a bare network error (a custom provider's fetch
 * that broke) is the upstream's failure, retryable, as the built-in providers report it.
 */
function reasonFor(caught: unknown, options: DispatchOptions, link: LinkedSignal, route: ModelRoute): unknown {
  if (options.signal.aborted) return options.signal.reason;
  if (options.shutdownSignal.aborted) return options.shutdownSignal.reason;
  if (link.aborted) return link.reason;
  if (caught instanceof Error && !UpstreamError.isInstance(caught)) {
    const kind = networkFailureKind(caught);
    if (kind) {
      return new UpstreamError({
        provider: route.provider.id,
        kind: 'server',
        message: `the connection failed: ${networkErrorCode(caught) ?? caught.message}`,
        clientDetail: networkFailureDetail(kind),
        cause: caught,
      });
    }
  }
  return caught;
}

function timeoutError(route: ModelRoute): UpstreamError {
  return new UpstreamError({ provider: route.provider.id, kind: 'timeout', message: `no answer within ${route.provider.timeoutMs} ms` });
}
