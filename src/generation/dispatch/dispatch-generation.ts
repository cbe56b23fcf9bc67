import { providerUnavailableError } from '../../errors/admission-errors.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import { UpstreamError } from '../../errors/upstream-error.js';
import type { GenerationRequest } from '../../generation-request.js';
import { type CancelSignal, type LinkedSignal, linkSignals } from '../../lib/cancel-signal.js';
import { type GenerationEvent, takesCancelSignal } from '../../provider.js';
import type { QueueTicket, SlotScheduler } from '../admission/slot-scheduler.js';
import { countsAgainstHealth, type InstanceHealth } from '../routing/instance-health.js';
import type { ModelRoute } from '../routing/model-registry.js';

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
  scheduler: SlotScheduler;
  health: InstanceHealth;
  now: () => number;
  hooks: DispatchHooks;
}

export interface DispatchResult {
  route: ModelRoute;
  attempts: number;
  queueMs: number;
  generationMs: number;
}

/** Thrown (with the last upstream error as cause) when an attempt failed; carries what was tried. */
export class DispatchFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly attempts: number,
    readonly route: ModelRoute | undefined,
    readonly queueMs: number,
  ) {
    super('dispatch failed', { cause: error });
  }
}

/**
 * Runs a generation: waits for a slot on any of the routes' instances, runs
 * the provider under the request signal plus the provider's timeout, and on
 * a retryable upstream failure moves on to an instance not yet tried, up to
 * `maxAttempts`. Every path releases the slot it took.
 */
export async function dispatchGeneration(options: DispatchOptions): Promise<DispatchResult> {
  const tried = new Set<string>();
  let attempts = 0;
  let queueMs = 0;
  let lastRoute: ModelRoute | undefined;
  let lastError: unknown;
  let refused: ModelRoute | undefined;

  while (attempts < options.maxAttempts) {
    const remaining = options.routes.filter(
      (route) => !tried.has(route.provider.id) && (attempts === 0 || options.health.isAvailable(route.provider.id)),
    );
    if (remaining.length === 0) break;
    const candidates = [...new Set(remaining.map((route) => route.provider.id))];
    const ticket = options.scheduler.enqueue({ candidates, stream: options.request.stream, signal: options.signal });
    options.hooks.onQueued?.(ticket);
    let slot: Awaited<QueueTicket['slot']>;
    try {
      slot = await ticket.slot;
    } catch (error) {
      throw new DispatchFailure(error, attempts, lastRoute, queueMs);
    }
    queueMs += slot.queueMs;
    if (options.signal.aborted) {
      // The client left between the slot being handed over and this line: do not start the provider.
      slot.release('aborted');
      throw new DispatchFailure(options.signal.reason, attempts, lastRoute, queueMs);
    }
    const route = remaining.find((candidate) => candidate.provider.id === slot.instanceId) as ModelRoute;
    tried.add(route.provider.id);
    if (!options.health.admit(route.provider.id)) {
      // Its circuit changed while this request waited (another request is its probe): try elsewhere.
      slot.release('aborted');
      refused = route;
      continue;
    }
    attempts += 1;
    lastRoute = route;
    options.hooks.onAttempt?.(route, attempts);

    const link = linkSignals([options.signal, options.shutdownSignal], route.provider.timeoutMs);
    const providerSignal = takesCancelSignal in route.provider ? (link as unknown as AbortSignal) : link.signal;
    const startedAt = options.now();
    try {
      const events = route.provider.generate({ ...options.request, model: route.model.id }, providerSignal);
      // A built-in provider that takes the linked signal passes it to every wait and stops when it
      // aborts; the race per event that guards against a stuck custom provider cost it about 15%.
      for await (const event of takesCancelSignal in route.provider ? events : untilAborted(events, link)) {
        // Most hooks are synchronous: awaiting their undefined would cost a promise and a turn per event.
        const handled = options.hooks.onEvent(event);
        if (handled) await handled;
      }
      if (link.aborted) throw link.reason;
      slot.release('completed');
      options.health.onSuccess(route.provider.id);
      return { route, attempts, queueMs, generationMs: options.now() - startedAt };
    } catch (caught) {
      // A provider timeout is an upstream failure like any other: retryable on another instance.
      const error =
        link.timedOut && !options.signal.aborted && !options.shutdownSignal.aborted
          ? timeoutError(route)
          : reasonFor(caught, options, link);
      if (options.signal.aborted || options.shutdownSignal.aborted) {
        slot.release('aborted');
        options.health.onAbandon(route.provider.id);
        throw new DispatchFailure(error, attempts, route, queueMs);
      }
      slot.release('failed');
      const upstream = UpstreamError.isInstance(error) ? error : undefined;
      if (upstream && countsAgainstHealth(upstream)) options.health.onFailure(route.provider.id, upstream);
      else options.health.onAbandon(route.provider.id);
      lastError = error;
      if (!upstream?.retryable || !options.hooks.canRetry()) throw new DispatchFailure(error, attempts, route, queueMs);
    } finally {
      link.dispose();
    }
  }
  throw new DispatchFailure(lastError ?? unavailable(refused, options.health), attempts, lastRoute, queueMs);
}

/** Every candidate was refused by its circuit before anything ran. */
function unavailable(route: ModelRoute | undefined, health: InstanceHealth): GatewayError {
  return providerUnavailableError('could serve this request', health.secondsUntilAvailable(route ? [route.provider.id] : []));
}

/** What actually stopped the attempt: the request's own abort reason wins over what the provider threw. */
function reasonFor(caught: unknown, options: DispatchOptions, link: LinkedSignal): unknown {
  if (options.signal.aborted) return options.signal.reason;
  if (options.shutdownSignal.aborted) return options.shutdownSignal.reason;
  if (link.aborted) return link.reason;
  return caught;
}

/**
 * Iterates a provider's events but stops at once when `signal` aborts, even
 * if the provider ignores its signal: a custom provider stuck in a promise
 * must not hold the request and its slot forever.
 */
async function* untilAborted<T>(events: AsyncIterable<T>, signal: CancelSignal): AsyncGenerator<T> {
  const iterator = events[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  let finished = false;
  try {
    while (true) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    // Not awaited: a provider that ignores its signal may never answer return().
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => {});
  }
}

function timeoutError(route: ModelRoute): UpstreamError {
  return new UpstreamError({ provider: route.provider.id, kind: 'timeout', message: `no answer within ${route.provider.timeoutMs} ms` });
}
