import type { UpstreamHttp } from '../../providers/shared/upstream-http.js';
import type { OpenTelemetry } from './opentelemetry-peer.js';

/**
 * The upstream client, with the active trace context (the attempt's span)
 * sent along as `traceparent`: the upstream's own traces join the gateway's.
 * `api` is read per call, as it loads after the gateway is made; without a
 * valid active span the call goes out untouched.
 *
 * @example
 * const http = withTraceHeaders(() => tracing.api, createPooledHttp());
 */
export function withTraceHeaders(api: () => OpenTelemetry | undefined, http: UpstreamHttp): UpstreamHttp {
  return (url, init) => {
    const otel = api();
    if (!otel) return http(url, init);
    const active = otel.context.active();
    const spanContext = otel.trace.getSpanContext(active);
    if (!spanContext || !otel.isSpanContextValid(spanContext)) return http(url, init);
    const headers: Record<string, string> = {};
    if (init.headers) for (const name of Object.keys(init.headers)) headers[name] = init.headers[name] as string;
    otel.propagation.inject(active, headers);
    return http(url, { method: init.method, headers, body: init.body, signal: init.signal });
  };
}
