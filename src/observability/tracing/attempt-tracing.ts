import type { Context, Span } from '@opentelemetry/api';
import type { AttemptObserver, AttemptWatch } from '../../generation/dispatch/attempt-observer.js';
import type { GenerationEvent } from '../../provider.js';
import { errorType, providerName, upstreamOperationName } from '../metrics/gen-ai-names.js';
import type { OpenTelemetry } from './opentelemetry-peer.js';

/** Longest prompt put in a span when prompts are allowed. */
const longestPrompt = 4096;

/**
 * A client span per upstream attempt, child of the request's server span
 * (nothing when that one does not record), with the GenAI conventions'
 * attributes; the queue wait before it is an event on the server span. The
 * provider runs in the attempt's context, so its upstream calls carry it
 * as their `traceparent`. The prompt goes in only with `capturePrompts`.
 *
 * @example
 * const observer = attemptTracer(api, { capturePrompts: false });
 */
export function attemptTracer(api: OpenTelemetry, options: { capturePrompts: boolean }): AttemptObserver {
  const tracer = api.trace.getTracer('image-gateway');
  return {
    start(route, attempt, queueMs, request) {
      const parent = api.context.active();
      const server = api.trace.getSpan(parent);
      if (!server?.isRecording()) return undefined;
      const startedAt = Date.now();
      const provider = providerName(route.provider.type);
      if (queueMs > 0) {
        server.addEvent(
          'image_gateway.queue_wait',
          { 'image_gateway.queue_ms': queueMs, 'image_gateway.provider': route.provider.id, 'image_gateway.attempt': attempt },
          startedAt - queueMs,
        );
      }
      const operation = upstreamOperationName(route.provider.type);
      const span = tracer.startSpan(
        `${operation} ${route.model.id}`,
        {
          kind: api.SpanKind.CLIENT,
          attributes: {
            'gen_ai.operation.name': operation,
            'gen_ai.provider.name': provider,
            'gen_ai.request.model': route.model.id,
            'gen_ai.output.type': 'image',
            'image_gateway.provider': route.provider.id,
            'image_gateway.attempt': attempt,
          },
        },
        parent,
      );
      if (options.capturePrompts) {
        span.setAttribute(
          'gen_ai.input.messages',
          JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: request.prompt.slice(0, longestPrompt) }] }]),
        );
      }
      return new TracedAttempt(api, span, api.trace.setSpan(parent, span), route.model.id);
    },
  };
}

class TracedAttempt implements AttemptWatch {
  readonly #api: OpenTelemetry;
  readonly #span: Span;
  readonly #context: Context;
  readonly #model: string;

  constructor(api: OpenTelemetry, span: Span, context: Context, model: string) {
    this.#api = api;
    this.#span = span;
    this.#context = context;
    this.#model = model;
  }

  run<T>(call: () => T): T {
    return this.#api.context.with(this.#context, call);
  }

  event(event: GenerationEvent): void {
    if (event.type !== 'usage') return;
    this.#span.setAttribute('gen_ai.usage.input_tokens', event.usage.promptTokens);
    this.#span.setAttribute('gen_ai.usage.output_tokens', event.usage.completionTokens);
  }

  end(error?: unknown): void {
    if (error === undefined) this.#span.setAttribute('gen_ai.response.model', this.#model);
    else {
      this.#span.setAttribute('error.type', errorType(error));
      this.#span.setStatus({ code: this.#api.SpanStatusCode.ERROR });
    }
    this.#span.end();
  }
}
