import { storeUnavailableError } from '../errors/store-errors.js';
import { redactedMessage } from '../errors/to-gateway-error.js';
import { UpstreamError } from '../errors/upstream-error.js';
import type { ImageOutputEncoder } from '../images/image-output.js';
import { type LinkedSignal, linkSignals } from '../lib/cancel-signal.js';
import type { GatewayLogger } from '../lib/logger.js';
import type { RedactSecrets } from '../lib/secret-redaction.js';
import type { GenerationEvent, GenerationRequest, ImageProvider } from '../provider.js';
import type { RedisLink } from '../store/redis/redis-link.js';
import type { AdmissionScheduler } from './admission/admission-scheduler.js';
import { SharedSlotScheduler } from './admission/shared-slot-scheduler.js';
import { type SchedulerOptions, SlotScheduler } from './admission/slot-scheduler.js';
import type { AttemptObserver } from './dispatch/attempt-observer.js';
import { type DispatchHooks, type DispatchOptions, type DispatchOutcome, dispatchGeneration } from './dispatch/dispatch-generation.js';
import { OutputSecretFilter } from './output-secret-filter.js';
import type { RequestNeeds } from './request-needs.js';
import { type HealthOptions, InstanceHealth } from './routing/instance-health.js';
import { ModelRegistry, type ModelRoute } from './routing/model-registry.js';
import { type RoutePlan, RoutePlanner } from './routing/route-planner.js';
import { SharedHealth } from './routing/shared-health.js';

export interface GenerationServiceOptions {
  providers: readonly ImageProvider[];
  /** Public model names mapped to provider models. */
  aliases: Readonly<Record<string, string>>;
  queue: Omit<SchedulerOptions, 'now' | 'gate'>;
  routing: Omit<HealthOptions, 'now'> & { maxAttempts: number };
  /** Per-instance `inputFormat`, from the provider configs or a custom provider's own. */
  inputFormats: ReadonlyMap<string, 'jpeg' | 'original'>;
  /** Re-encodes output images (images.outputFormat); undefined leaves them as they come. */
  encodeOutput: ImageOutputEncoder | undefined;
  /** The providers' configured keys, longest first, for taking out of model output (empty: nothing to do). */
  outputSecrets: readonly string[];
  now: () => number;
  /** Hears each failed attempt with the upstream's own account (what clients read is a fixed sentence); none: not logged. */
  logger?: GatewayLogger;
  /** Takes the configured secrets out of an upstream's text before the log line. */
  redactSecrets?: RedactSecrets;
  /** Watches each attempt (metrics, traces), implemented above this floor; none: nothing more per attempt. */
  observer?: AttemptObserver;
  /** The shared store's connection when `store.type` is 'redis' (slots, the wait list and health then live there); undefined: this process alone. */
  redisLink?: RedisLink;
}

/** What a surface asks the core to run: a request already normalised, the routes planned for it, and how to hear back. */
export interface GenerationJob {
  request: Omit<GenerationRequest, 'model'>;
  routes: readonly ModelRoute[];
  /** The request's deadline (client gone, total timeout): every wait and upstream call follows it. */
  deadline: LinkedSignal;
  hooks: Omit<DispatchHooks, 'onEvent'> & { onEvent(event: GenerationEvent): void };
}

/**
 * The surface-independent core, shared by every request of a gateway: it
 * knows the models (routing), holds the slots (admission) and runs
 * generations (dispatch), with output images re-encoded and the providers'
 * keys taken out of model text before a surface sees an event. Surfaces ask
 * it what a model can do, plan routes for what a request needs, and run.
 *
 * @example
 * const plan = generation.plan('auto', needs);
 * const outcome = await generation.run({ request, routes: plan.routes, deadline, hooks });
 */
export class GenerationService {
  readonly registry: ModelRegistry;
  readonly scheduler: AdmissionScheduler;
  readonly health: InstanceHealth;
  /** The shared store's connection, or undefined for the memory store. */
  readonly redisLink: RedisLink | undefined;
  readonly #planner: RoutePlanner;
  readonly #options: GenerationServiceOptions;
  /**
   * Every running attempt listens to it: a linked signal takes listeners at the cost of an array push,
   * where an AbortSignal's EventTarget costs microseconds each.
   */
  readonly #shutdown = linkSignals([]);

  constructor(options: GenerationServiceOptions) {
    this.#options = options;
    this.redisLink = options.redisLink;
    this.health = new InstanceHealth({ ...options.routing, now: options.now });
    if (options.redisLink) {
      const instanceIds = options.providers.map((provider) => provider.id);
      new SharedHealth(this.health, options.redisLink, { instanceIds, now: options.now, logger: options.logger }).start();
    }
    // The circuits gate the slots: a cooling instance's waiters are served when it reopens.
    // With the Redis store, slots and the wait list are shared by every process on it.
    this.scheduler = options.redisLink
      ? new SharedSlotScheduler({ ...options.queue, gate: this.health, now: options.now, link: options.redisLink })
      : new SlotScheduler({ ...options.queue, gate: this.health, now: options.now });
    for (const provider of options.providers) this.scheduler.register(provider.id, provider.concurrency);
    this.registry = new ModelRegistry(options.providers, options.aliases);
    this.#planner = new RoutePlanner(this.registry, this.health, this.scheduler);
  }

  /** The routes a model name leads to, before looking at the request: to learn what the named model can do. */
  lookup(model: string): RoutePlan {
    return this.#planner.lookup(model);
  }

  /**
   * Capable, healthy routes for what a request needs, in the order to try them; a 4xx or 503 when there are none,
   * and 503 STORE_UNAVAILABLE while the shared store is unreachable under `store.onUnavailable: 'failClosed'`.
   */
  plan(model: string, needs: RequestNeeds): RoutePlan {
    const plan = this.#planner.plan(model, needs);
    // After the planner: a request that is wrong in itself hears that first, whatever the store's state.
    const link = this.redisLink;
    if (link && !link.reachable && link.onUnavailable === 'failClosed') throw storeUnavailableError();
    return plan;
  }

  /** How to ingest input images for these routes: a provider's `inputFormat` when every route agrees, else the gateway's setting. */
  inputFormatFor(routes: readonly ModelRoute[]): 'jpeg' | 'original' | undefined {
    const formats = new Set(routes.map((route) => this.#options.inputFormats.get(route.provider.id)));
    return formats.size === 1 ? [...formats][0] : undefined;
  }

  /** Runs a job with the gateway's queue, health and limits; never throws (the outcome says how it ended). */
  run(job: GenerationJob): Promise<DispatchOutcome> {
    const encode = this.#options.encodeOutput;
    const { deadline, hooks } = job;
    const deliver: DispatchHooks['onEvent'] = encode
      ? async (event) => hooks.onEvent(await encodeEvent(event, encode, deadline))
      : hooks.onEvent;
    // With no provider secrets configured there is nothing to take out: no step per event at all.
    if (this.#options.outputSecrets.length === 0) {
      const direct: DispatchHooks = { onQueued: hooks.onQueued, onAttempt: hooks.onAttempt, canRetry: hooks.canRetry, onEvent: deliver };
      return dispatchGeneration(this.#dispatchOptions(job, direct));
    }
    return dispatchFiltered(
      (filtered) => this.#dispatchOptions(job, filtered),
      hooks,
      deliver,
      new OutputSecretFilter(this.#options.outputSecrets),
    );
  }

  /**
   * Written out field by field: a spread copy of an object this size gets a
   * hidden class of its own in V8, and ten thousand dispatches may wait at once.
   */
  #dispatchOptions(job: GenerationJob, hooks: DispatchHooks): DispatchOptions {
    return {
      routes: job.routes,
      request: job.request,
      signal: job.deadline,
      shutdownSignal: this.#shutdown,
      maxAttempts: this.#options.routing.maxAttempts,
      scheduler: this.scheduler,
      health: this.health,
      now: this.#options.now,
      hooks,
      onAttemptFailed: this.#options.logger ? (route, error, attempt) => this.#logAttemptFailure(job, route, error, attempt) : undefined,
      observer: this.#options.observer,
    };
  }

  /** One warn line per failed attempt: which instance, how it failed, the upstream's redacted account, and whether a fallback follows. */
  #logAttemptFailure(job: GenerationJob, route: ModelRoute, error: unknown, attempt: number): void {
    const upstream = UpstreamError.isInstance(error) ? error : undefined;
    const redact = this.#options.redactSecrets;
    const detail = error instanceof Error ? error.message : String(error);
    this.#options.logger?.warn(
      {
        requestId: job.request.requestId,
        provider: route.provider.id,
        model: route.model.id,
        attempt,
        kind: upstream?.kind ?? 'internal',
        status: upstream?.status,
        retryable: upstream?.retryable ?? false,
        detail: redact ? redactedMessage(detail, redact) : detail.slice(0, 2000),
      },
      'upstream attempt failed',
    );
  }

  /** Stops admitting: every waiter is answered 503 SHUTTING_DOWN. */
  stopAdmitting(): void {
    this.scheduler.close();
  }

  /** Aborts every running generation (close() ran out of grace). */
  abortRunning(reason: unknown): void {
    this.#shutdown.abort(reason);
  }
}

/** Dispatch with every event passed through `filter` first (see OutputSecretFilter). */
async function dispatchFiltered(
  optionsWith: (hooks: DispatchHooks) => DispatchOptions,
  hooks: GenerationJob['hooks'],
  deliver: DispatchHooks['onEvent'],
  filter: OutputSecretFilter,
): Promise<DispatchOutcome> {
  const outcome = await dispatchGeneration(
    optionsWith({
      onQueued: hooks.onQueued,
      canRetry: hooks.canRetry,
      onAttempt(route, attempt) {
        filter.reset();
        hooks.onAttempt?.(route, attempt);
      },
      onEvent: (event) => deliverAll(filter.take(event), deliver),
    }),
  );
  // A provider that ended without its finish event: what it held is still output. A failed attempt's is not.
  if (!outcome.ok) return outcome;
  try {
    await deliverAll(filter.flush(), deliver);
    return outcome;
  } catch (error) {
    return { ok: false, error, route: outcome.route, attempts: outcome.attempts, queueMs: outcome.queueMs };
  }
}

function deliverAll(events: GenerationEvent[], deliver: DispatchHooks['onEvent']): void | Promise<void> {
  if (events.length === 1) return deliver(events[0] as GenerationEvent);
  if (events.length > 1) return deliverInOrder(events, deliver);
}

async function deliverInOrder(events: GenerationEvent[], deliver: DispatchHooks['onEvent']): Promise<void> {
  for (const event of events) await deliver(event);
}

async function encodeEvent(event: GenerationEvent, encode: ImageOutputEncoder, deadline: LinkedSignal): Promise<GenerationEvent> {
  // The encoder needs a real AbortSignal (sharp's queue); only image events make the deadline build one.
  if (event.type === 'image') return { type: 'image', image: await encode(event.image, deadline.signal) };
  return event;
}
