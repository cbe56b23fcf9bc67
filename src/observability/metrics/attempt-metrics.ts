import type { Registry } from 'prom-client';
import type { AttemptWatch } from '../../generation/dispatch/attempt-observer.js';
import type { ModelRoute } from '../../generation/routing/model-registry.js';
import type { GenerationEvent, GenerationRequest } from '../../provider.js';
import { errorType, genAiDurationBuckets, providerName, upstreamOperationName } from './gen-ai-names.js';
import type { MetricLabels } from './metric-labels.js';
import { CounterSeries, HistogramSeries } from './series-table.js';

/** Label values every figure of one attempt shares. */
interface AttemptLabels {
  operation: string;
  providerName: string;
  model: string;
  provider: string;
}

/**
 * Per-attempt figures, from dispatch's attempt hook: attempts by instance
 * and outcome, fallbacks, the upstream call's duration and (streams) time to
 * first chunk under the GenAI conventions' names, the queue wait, and image
 * bytes in (the request's input images, once) and out (from upstreams).
 */
export class AttemptMetrics {
  readonly #labels: MetricLabels;
  readonly #attempts: CounterSeries;
  readonly #fallbacks: CounterSeries;
  readonly #duration: HistogramSeries;
  readonly #firstChunk: HistogramSeries;
  readonly #queueWait: HistogramSeries;
  readonly #imageBytes: CounterSeries;

  constructor(registry: Registry, labels: MetricLabels) {
    this.#labels = labels;
    this.#attempts = new CounterSeries(
      registry,
      'image_gateway_attempts_total',
      'Upstream attempts by instance, provider model and outcome (success, or the error type).',
      ['provider', 'provider_model', 'outcome'],
    );
    this.#fallbacks = new CounterSeries(
      registry,
      'image_gateway_fallbacks_total',
      'Attempts after the first of a request (a fallback after a retryable failure), by the instance fallen back to.',
      ['provider'],
    );
    this.#duration = new HistogramSeries(
      registry,
      'gen_ai_client_operation_duration_seconds',
      'Upstream attempts from the provider call to its last event (generation time per instance), by error type when it failed (GenAI conventions).',
      ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'provider', 'error_type'],
      genAiDurationBuckets,
    );
    this.#firstChunk = new HistogramSeries(
      registry,
      'gen_ai_client_operation_time_to_first_chunk_seconds',
      'Streamed upstream attempts from the provider call to its first chunk (GenAI conventions).',
      ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'provider'],
      genAiDurationBuckets,
    );
    this.#queueWait = new HistogramSeries(
      registry,
      'image_gateway_queue_wait_seconds',
      'Time attempts waited for a slot, by instance and whether the request streams.',
      ['provider', 'stream'],
      [0, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    );
    this.#imageBytes = new CounterSeries(
      registry,
      'image_gateway_image_bytes_total',
      'Image bytes: in, the input images of requests that reached an upstream; out, the images upstreams produced.',
      ['direction'],
    );
  }

  /** An attempt starts: counts its wait and input, and returns what watches the rest of it. */
  start(route: ModelRoute, attempt: number, queueMs: number, request: Omit<GenerationRequest, 'model'>): AttemptWatch {
    const labels: AttemptLabels = {
      operation: upstreamOperationName(route.provider.type),
      providerName: providerName(route.provider.type),
      model: route.model.id,
      provider: route.provider.id,
    };
    this.#queueWait.observe([route.provider.id, request.stream ? 'true' : 'false'], queueMs / 1000);
    if (attempt > 1) this.#fallbacks.inc([route.provider.id]);
    else if (hasInputImages(request)) this.#imageBytes.inc(['in'], inputBytes(request));
    return new MetricsAttemptWatch(this, labels, request.stream);
  }

  /** How one attempt ended. */
  ended(labels: AttemptLabels, seconds: number, error: unknown, bytesOut: number): void {
    const failure = error === undefined ? '' : this.#labels.errorCode(errorType(error));
    this.#attempts.inc([labels.provider, labels.model, failure || 'success']);
    this.#duration.observe([labels.operation, labels.providerName, labels.model, labels.provider, failure], seconds);
    if (bytesOut > 0) this.#imageBytes.inc(['out'], bytesOut);
  }

  firstChunk(labels: AttemptLabels, seconds: number): void {
    this.#firstChunk.observe([labels.operation, labels.providerName, labels.model, labels.provider], seconds);
  }
}

/** One attempt's clock, first chunk and image bytes. */
class MetricsAttemptWatch implements AttemptWatch {
  readonly #metrics: AttemptMetrics;
  readonly #labels: AttemptLabels;
  readonly #startedAt = performance.now();
  #waitingForFirstChunk: boolean;
  #bytesOut = 0;

  constructor(metrics: AttemptMetrics, labels: AttemptLabels, stream: boolean) {
    this.#metrics = metrics;
    this.#labels = labels;
    this.#waitingForFirstChunk = stream;
  }

  run<T>(call: () => T): T {
    return call();
  }

  event(event: GenerationEvent): void {
    if (event.type === 'image') this.#bytesOut += event.image.byteLength;
    if (this.#waitingForFirstChunk && event.type !== 'usage' && event.type !== 'finish') {
      this.#waitingForFirstChunk = false;
      this.#metrics.firstChunk(this.#labels, (performance.now() - this.#startedAt) / 1000);
    }
  }

  end(error?: unknown): void {
    this.#metrics.ended(this.#labels, (performance.now() - this.#startedAt) / 1000, error, this.#bytesOut);
  }
}

function hasInputImages(request: Omit<GenerationRequest, 'model'>): boolean {
  return request.inputImages.length > 0 || request.mask !== undefined || request.messages.some((message) => message.images.length > 0);
}

/** Bytes of the images a request carries: its edit images, its mask and the conversation's. */
function inputBytes(request: Omit<GenerationRequest, 'model'>): number {
  const counted = new Set(request.inputImages);
  if (request.mask) counted.add(request.mask);
  for (const message of request.messages) for (const image of message.images) counted.add(image);
  let bytes = 0;
  for (const image of counted) bytes += image.byteLength;
  return bytes;
}
