import type { Counter, Histogram, Registry } from 'prom-client';
import type { UsageEvent } from '../usage-event.js';
import { genAiDurationBuckets, genAiTokenBuckets, operationName } from './gen-ai-names.js';
import type { MetricLabels } from './metric-labels.js';
import type { Prometheus } from './prometheus-peer.js';

/**
 * Per-request figures, from each request's usage record: requests and
 * images by surface, model, instance, project, status and error code; the
 * request's duration and tokens under the GenAI conventions' names; cost.
 */
export class RequestMetrics {
  readonly #labels: MetricLabels;
  readonly #requests: Counter;
  readonly #images: Counter;
  readonly #cost: Counter;
  readonly #duration: Histogram;
  readonly #tokens: Histogram;
  readonly #answers: Counter;

  constructor(prometheus: Prometheus, registry: Registry, labels: MetricLabels) {
    this.#labels = labels;
    const registers = [registry];
    this.#requests = new prometheus.Counter({
      name: 'image_gateway_requests_total',
      help: 'Generation requests that reached dispatch, by surface, model asked for, serving instance, project, HTTP status and error code.',
      labelNames: ['surface', 'model', 'provider', 'project', 'status', 'error_code'],
      registers,
    });
    this.#images = new prometheus.Counter({
      name: 'image_gateway_images_total',
      help: 'Images delivered to clients, by surface, model asked for, serving instance and project.',
      labelNames: ['surface', 'model', 'provider', 'project'],
      registers,
    });
    this.#cost = new prometheus.Counter({
      name: 'image_gateway_cost_total',
      help: 'What requests cost by the prices option (in the prices unit), by provider model, instance and project.',
      labelNames: ['provider_model', 'provider', 'project'],
      registers,
    });
    this.#duration = new prometheus.Histogram({
      name: 'gen_ai_server_request_duration_seconds',
      help: 'Generation requests from arrival to the last byte of the answer, queue and fallbacks included (GenAI conventions).',
      labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_response_model', 'error_type'],
      buckets: genAiDurationBuckets,
      registers,
    });
    this.#tokens = new prometheus.Histogram({
      name: 'gen_ai_client_token_usage',
      help: 'Tokens per request as the serving upstream counted them (the gateway estimates input when it did not), by gen_ai_token_type input or output (GenAI conventions).',
      labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_response_model', 'gen_ai_token_type'],
      buckets: genAiTokenBuckets,
      registers,
    });
    this.#answers = new prometheus.Counter({
      name: 'image_gateway_http_responses_total',
      help: 'Every HTTP answer of the gateway, refusals before dispatch (401, 400, 404) included, by status.',
      labelNames: ['status'],
      registers,
    });
  }

  /** One finished generation request. */
  record(event: UsageEvent): void {
    const labels = this.#labels;
    const surface = event.surface ?? '';
    const model = labels.model(event.model);
    const provider = event.provider ?? '';
    const project = labels.project(event.projectId);
    const errorCode = labels.errorCode(event.errorCode);
    this.#requests.inc({ surface, model, provider, project, status: event.status, error_code: errorCode });
    if (event.images > 0) this.#images.inc({ surface, model, provider, project }, event.images);
    if (event.cost !== undefined) this.#cost.inc({ provider_model: event.providerModel ?? '', provider, project }, event.cost);
    const operation = operationName(event.surface);
    const responseModel = event.providerModel ?? '';
    this.#duration.observe(
      { gen_ai_operation_name: operation, gen_ai_request_model: model, gen_ai_response_model: responseModel, error_type: errorCode },
      event.totalMs / 1000,
    );
    if (event.status < 400) {
      // Two objects: prom-client keeps the labels object of a new series, so one must not be changed after.
      const input = {
        gen_ai_operation_name: operation,
        gen_ai_request_model: model,
        gen_ai_response_model: responseModel,
        gen_ai_token_type: 'input',
      };
      this.#tokens.observe(input, event.promptTokens);
      const output = {
        gen_ai_operation_name: operation,
        gen_ai_request_model: model,
        gen_ai_response_model: responseModel,
        gen_ai_token_type: 'output',
      };
      this.#tokens.observe(output, event.completionTokens);
    }
  }

  /** Any HTTP answer, counted by status. */
  answered(status: number): void {
    this.#answers.inc({ status });
  }
}
