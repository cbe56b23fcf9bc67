import type { Span, TextMapGetter } from '@opentelemetry/api';
import type { Answer, ByteSink } from '../../server/answer.js';
import type { IncomingCall } from '../../server/incoming-call.js';
import type { ServeCall } from '../../server/serve-call.js';
import { operationName, providerName } from '../metrics/gen-ai-names.js';
import type { UsageEvent } from '../usage-event.js';
import type { OpenTelemetry } from './opentelemetry-peer.js';

/** Reads a W3C `traceparent` (and `tracestate`) off an incoming call. */
const callHeaders: TextMapGetter<IncomingCall> = {
  keys: () => ['traceparent', 'tracestate'],
  get: (call, key) => call.header(key) ?? undefined,
};

/**
 * A server span per call, child of the caller's `traceparent` when it sends
 * one; the route's work (a stream's too) runs in its context, so attempts
 * and upstream calls become its children. A streamed answer's span ends
 * when the stream does. When the host registered no SDK, the span does not
 * record and the call is served as it would be without tracing.
 *
 * @example
 * const traced = tracedServe(api, serve, (call) => router.match(call)?.route?.path);
 */
export function tracedServe(api: OpenTelemetry, serve: ServeCall, routeOf: (call: IncomingCall) => string | undefined): ServeCall {
  const tracer = api.trace.getTracer('image-gateway');
  return async (call) => {
    const parent = api.propagation.extract(api.ROOT_CONTEXT, call, callHeaders);
    const span = tracer.startSpan(call.method, { kind: api.SpanKind.SERVER, attributes: { 'http.request.method': call.method } }, parent);
    // Without an SDK (or sampled out) the span records nothing: no route lookup, no context, no wrapping.
    if (!span.isRecording()) return serve(call);
    const route = routeOf(call);
    if (route) {
      span.updateName(`${call.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    const context = api.trace.setSpan(parent, span);
    let answer: Answer;
    try {
      answer = await api.context.with(context, serve, undefined, call);
    } catch (error) {
      span.setStatus({ code: api.SpanStatusCode.ERROR });
      span.end();
      throw error;
    }
    span.setAttribute('http.response.status_code', answer.status);
    if (answer.status >= 500) {
      span.setAttribute('error.type', String(answer.status));
      span.setStatus({ code: api.SpanStatusCode.ERROR });
    }
    const stream = answer.stream;
    if (!stream) {
      span.end();
      return answer;
    }
    answer.stream = (sink) => {
      const end = endOnce(span);
      const cancel = api.context.with(context, () => stream(endingWith(sink, end)));
      return (reason) => {
        cancel(reason);
        end();
      };
    };
    return answer;
  };
}

function endOnce(span: Span): () => void {
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    span.end();
  };
}

/** The sink, calling `end` when it closes. */
function endingWith(sink: ByteSink, end: () => void): ByteSink {
  return {
    write: (chunk) => sink.write(chunk),
    ready: () => sink.ready(),
    onReady: (callback) => sink.onReady(callback),
    close() {
      sink.close();
      // After the code that closed it: a stream's usage record, written right after its last event, still belongs to the span.
      queueMicrotask(end);
    },
  };
}

/**
 * Puts a request's GenAI attributes on its server span (the active one):
 * models, instance, usage, the error's type. Never a key, prompt or image.
 */
export function annotateRequestSpan(api: OpenTelemetry, event: UsageEvent, providerTypes: ReadonlyMap<string, string>): void {
  const span = api.trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.setAttribute('gen_ai.operation.name', operationName(event.surface));
  span.setAttribute('gen_ai.request.model', event.model);
  span.setAttribute('gen_ai.output.type', 'image');
  span.setAttribute('gen_ai.response.id', event.requestId);
  const type = event.provider === undefined ? undefined : providerTypes.get(event.provider);
  if (type) span.setAttribute('gen_ai.provider.name', providerName(type));
  if (event.providerModel) span.setAttribute('gen_ai.response.model', event.providerModel);
  if (event.provider) span.setAttribute('image_gateway.provider', event.provider);
  span.setAttribute('gen_ai.usage.input_tokens', event.promptTokens);
  span.setAttribute('gen_ai.usage.output_tokens', event.completionTokens);
  span.setAttribute('image_gateway.images', event.images);
  span.setAttribute('image_gateway.attempts', event.attempts);
  span.setAttribute('image_gateway.queue_ms', event.queueMs);
  if (event.cost !== undefined) span.setAttribute('image_gateway.cost', event.cost);
  if (event.errorCode) {
    span.setAttribute('error.type', event.errorCode);
    span.setStatus({ code: api.SpanStatusCode.ERROR });
  }
}
