import type { Registry } from 'prom-client';
import type { UsageEvent } from '../usage-event.js';
import { genAiDurationBuckets, genAiTokenBuckets, operationName } from './gen-ai-names.js';
import type { MetricLabels } from './metric-labels.js';
import { CounterSeries, HistogramSeries } from './series-table.js';

/**
 * Per-request figures, from each request's usage record: requests and
 * images by surface, model, instance, project, status and error code; the
 * request's duration and tokens under the GenAI conventions' names; cost.
 */
export class RequestMetrics {
  readonly #labels: MetricLabels;
  readonly #requests: CounterSeries;
  readonly #images: CounterSeries;
  readonly #cost: CounterSeries;
  readonly #duration: HistogramSeries;
  readonly #tokens: HistogramSeries;
  readonly #answers: CounterSeries;

  constructor(registry: Registry, labels: MetricLabels) {
    this.#labels = labels;
    this.#requests = new CounterSeries(
      registry,
      'image_gateway_requests_total',
      'Generation requests that reached dispatch, by surface, model asked for, serving instance, project, HTTP status and error code.',
      ['surface', 'model', 'provider', 'project', 'status', 'error_code'],
    );
    this.#images = new CounterSeries(
      registry,
      'image_gateway_images_total',
      'Images delivered to clients, by surface, model asked for, serving instance and project.',
      ['surface', 'model', 'provider', 'project'],
    );
    this.#cost = new CounterSeries(
      registry,
      'image_gateway_cost_total',
      'What requests cost by the prices option (in the prices unit), by provider model, instance and project.',
      ['provider_model', 'provider', 'project'],
    );
    this.#duration = new HistogramSeries(
      registry,
      'gen_ai_server_request_duration_seconds',
      'Generation requests from arrival to the last byte of the answer, queue and fallbacks included (GenAI conventions).',
      ['gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_response_model', 'error_type'],
      genAiDurationBuckets,
    );
    this.#tokens = new HistogramSeries(
      registry,
      'gen_ai_client_token_usage',
      'Tokens per request as the serving upstream counted them (the gateway estimates input when it did not), by gen_ai_token_type input or output (GenAI conventions).',
      ['gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_response_model', 'gen_ai_token_type'],
      genAiTokenBuckets,
    );
    this.#answers = new CounterSeries(
      registry,
      'image_gateway_http_responses_total',
      'Every HTTP answer of the gateway, refusals before dispatch (401, 400, 404) included, by status.',
      ['status'],
    );
  }

  /** One finished generation request. */
  record(event: UsageEvent): void {
    const labels = this.#labels;
    const surface = event.surface ?? '';
    const model = labels.model(event.model);
    const provider = event.provider ?? '';
    const project = labels.project(event.projectId);
    const errorCode = labels.errorCode(event.errorCode);
    this.#requests.inc([surface, model, provider, project, statusText(event.status), errorCode]);
    if (event.images > 0) this.#images.inc([surface, model, provider, project], event.images);
    if (event.cost !== undefined) this.#cost.inc([event.providerModel ?? '', provider, project], event.cost);
    const operation = operationName(event.surface);
    const responseModel = event.providerModel ?? '';
    this.#duration.observe([operation, model, responseModel, errorCode], event.totalMs / 1000);
    if (event.status < 400) {
      this.#tokens.observe([operation, model, responseModel, 'input'], event.promptTokens);
      this.#tokens.observe([operation, model, responseModel, 'output'], event.completionTokens);
    }
  }

  /** Any HTTP answer, counted by status. */
  answered(status: number): void {
    this.#answers.inc([statusText(status)]);
  }
}

/** Status codes as label text, made once each. */
const statusTexts = new Map<number, string>();
function statusText(status: number): string {
  let text = statusTexts.get(status);
  if (text === undefined) {
    text = String(status);
    if (statusTexts.size < 1000) statusTexts.set(status, text);
  }
  return text;
}
