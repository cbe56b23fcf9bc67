import type { AttemptObserver, AttemptWatch } from '../generation/dispatch/attempt-observer.js';
import type { GatewayLogger } from '../lib/logger.js';
import type { UpstreamHttp } from '../providers/shared/upstream-http.js';
import type { Answer } from '../server/answer.js';
import type { IncomingCall } from '../server/incoming-call.js';
import type { ServeCall } from '../server/serve-call.js';
import { GatewayMetrics, type MetricsSources } from './metrics/gateway-metrics.js';
import type { MetricsSettings } from './observability-options.js';
import { attemptTracer } from './tracing/attempt-tracing.js';
import { loadOpenTelemetry, type OpenTelemetry } from './tracing/opentelemetry-peer.js';
import { annotateRequestSpan, tracedServe } from './tracing/request-tracing.js';
import { withTraceHeaders } from './tracing/trace-headers.js';
import type { UsageEvent } from './usage-event.js';

export interface ObservabilitySettings {
  metrics: MetricsSettings | undefined;
  tracing: { capturePrompts: boolean } | undefined;
  logger?: GatewayLogger;
}

/** What the metrics and traces read of the gateway, known once its core is built. */
export interface ObservedGateway extends Omit<MetricsSources, 'projects'> {
  /** Each instance's provider type, for `gen_ai.provider.name`. */
  providerTypes: ReadonlyMap<string, string>;
  /** The route path of a call, for span names. */
  routeOf(call: IncomingCall): string | undefined;
}

/**
 * A gateway's metrics and traces. Both libraries are optional peers, loaded
 * with a dynamic import when the gateway is made (prom-client only when the
 * metrics option is on); calls that arrive while prom-client loads wait for
 * it, so no request goes uncounted (spans start once the API has loaded). After that, what each request costs is
 * a few counter increments, and an unrecorded span when the host has no
 * OpenTelemetry SDK.
 *
 * @example
 * const observability = new GatewayObservability({ metrics: { expose: 'authenticated', projects: [] }, tracing: undefined });
 * const generation = new GenerationService({ ..., observer: observability.observer });
 * const serve = observability.start(observedGateway, createServeCall(...));
 */
export class GatewayObservability {
  readonly #settings: ObservabilitySettings;
  #metrics: GatewayMetrics | undefined;
  #metricsFailure: Error | undefined;
  #api: OpenTelemetry | undefined;
  #tracer: AttemptObserver | undefined;
  #providerTypes: ReadonlyMap<string, string> = new Map();

  /** Hears each attempt dispatch makes; watches it when metrics or tracing are on. */
  readonly observer: AttemptObserver = {
    start: (route, attempt, queueMs, request) => {
      const measured = this.#metrics?.attempts.start(route, attempt, queueMs, request);
      const traced = this.#tracer?.start(route, attempt, queueMs, request);
      return measured && traced ? bothWatches(measured, traced) : (measured ?? traced);
    },
  };

  constructor(settings: ObservabilitySettings) {
    this.#settings = settings;
  }

  /** The upstream client, sending the active trace context along. */
  tracedHttp(http: UpstreamHttp): UpstreamHttp {
    return this.#settings.tracing ? withTraceHeaders(() => this.#api, http) : http;
  }

  /**
   * Loads the peers and returns `serve` wrapped with the server span and the
   * answer count; until they are loaded, calls wait for them.
   */
  start(gateway: ObservedGateway, serve: ServeCall): ServeCall {
    const { metrics, tracing } = this.#settings;
    if (!metrics && !tracing) return serve;
    this.#providerTypes = gateway.providerTypes;
    let observed: ServeCall | undefined;
    const tracingLoaded = tracing ? this.#loadTracing(tracing) : undefined;
    // Calls wait for the metrics (none may go uncounted), not for tracing: the import reads files
    // through libuv's pool, which a busy host may hold for seconds, and a trace is a sample anyway.
    const metricsLoaded = metrics ? this.#loadMetrics(gateway, metrics) : undefined;
    let metricsPending = metricsLoaded !== undefined;
    // Wrapped again when the second peer loads; never before the metrics are in, or calls would stop waiting for them.
    const wrap = () => {
      if (!metricsPending) observed = this.#wrap(serve, gateway);
    };
    void tracingLoaded?.then(wrap);
    const loading = metricsLoaded?.then(() => {
      metricsPending = false;
      wrap();
    });
    return (call) => {
      if (observed) return observed(call);
      return loading ? loading.then(() => (observed as ServeCall)(call)) : serve(call);
    };
  }

  /** One finished generation request: its metrics, and its attributes on the server span. */
  record(event: UsageEvent): void {
    this.#metrics?.requests.record(event);
    if (this.#api) annotateRequestSpan(this.#api, event, this.#providerTypes);
  }

  /** GET /metrics: the Prometheus text, or a 503 saying what is missing. */
  async scrape(): Promise<Answer> {
    const metrics = this.#metrics;
    if (!metrics) {
      const message = this.#metricsFailure?.message ?? 'metrics are still loading; try again';
      return {
        status: 503,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: { message, type: 'server_error', param: null, code: 'METRICS_UNAVAILABLE' } }),
      };
    }
    return { status: 200, headers: { 'content-type': metrics.registry.contentType }, body: await metrics.registry.metrics() };
  }

  async #loadMetrics(gateway: ObservedGateway, settings: MetricsSettings): Promise<void> {
    try {
      this.#metrics = await GatewayMetrics.create({
        models: gateway.models,
        projects: settings.projects,
        instances: gateway.instances,
        blobs: gateway.blobs,
        store: gateway.store,
      });
    } catch (error) {
      this.#metricsFailure = error as Error;
      this.#settings.logger?.error({}, `metrics are off: ${(error as Error).message}`);
    }
  }

  async #loadTracing(settings: { capturePrompts: boolean }): Promise<void> {
    this.#api = await loadOpenTelemetry();
    if (this.#api) this.#tracer = attemptTracer(this.#api, settings);
  }

  #wrap(serve: ServeCall, gateway: ObservedGateway): ServeCall {
    const traced = this.#api ? tracedServe(this.#api, serve, gateway.routeOf) : serve;
    const requests = this.#metrics?.requests;
    if (!requests) return traced;
    return async (call) => {
      const answer = await traced(call);
      requests.answered(answer.status);
      return answer;
    };
  }
}

/** Two watches of one attempt: the trace's context around the call, both told of each event and the end. */
function bothWatches(measured: AttemptWatch, traced: AttemptWatch): AttemptWatch {
  return {
    run: (call) => traced.run(call),
    event(event) {
      measured.event(event);
      traced.event(event);
    },
    end(error) {
      measured.end(error);
      traced.end(error);
    },
  };
}
