import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAIChatFake, startOpenAIChatFake } from '../fakes/openai-chat-fake.js';
import { gatewayKey, serveGateway } from '../surfaces/served-gateway.js';

const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

const fakes: OpenAIChatFake[] = [];
afterEach(async () => {
  exporter.reset();
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

const headers = { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' };
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpanId = '00f067aa0ba902b7';

async function tracedGateway(options: { capturePrompts?: boolean } = {}) {
  const failing = await startOpenAIChatFake({ scenario: 'server-error' });
  const drawing = await startOpenAIChatFake({ scenario: 'image', delayMs: 60_000 });
  fakes.push(failing, drawing);
  const { baseURL } = await serveGateway({
    providers: [
      { type: 'openai-chat', name: 'relay-a', baseURL: failing.url, apiKey: 'sk-relay-a-0000000000', models: ['shared-image'] },
      {
        type: 'openai-chat',
        name: 'relay-b',
        baseURL: drawing.url,
        apiKey: 'sk-relay-b-0000000000',
        models: ['shared-image', 'solo-image'],
        concurrency: 1,
      },
    ],
    tracing: { capturePrompts: options.capturePrompts ?? false },
    heartbeatIntervalMs: 60_000,
  });
  const origin = baseURL.replace(/\/v1$/, '');
  // The API loads while the first calls are served: call until a call is traced.
  while (exporter.getFinishedSpans().length === 0) await (await fetch(`${origin}/healthz`)).text();
  exporter.reset();
  return { origin, failing, drawing };
}

function chat(origin: string, body: Record<string, unknown>, extra: Record<string, string> = {}, signal?: AbortSignal) {
  return fetch(`${origin}/v1/chat/completions`, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body), signal });
}

const spansOf = (kind: SpanKind) => exporter.getFinishedSpans().filter((span) => span.kind === kind);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('OpenTelemetry traces', () => {
  it('one request: a server span, child of the caller’s traceparent, and a client span per attempt with the GenAI attributes', async () => {
    const { origin, failing, drawing } = await tracedGateway();
    const answer = await chat(
      origin,
      { model: 'shared-image', messages: [{ role: 'user', content: 'draw a red cat' }] },
      { traceparent: `00-${traceId}-${callerSpanId}-01` },
    );
    expect(answer.status).toBe(200);
    await answer.text();

    const [server, ...otherServers] = spansOf(SpanKind.SERVER);
    expect(otherServers).toEqual([]);
    expect(server?.name).toBe('POST /v1/chat/completions');
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(parentOf(server as ReadableSpan)).toBe(callerSpanId);
    expect(server?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'shared-image',
      'gen_ai.response.model': 'shared-image',
      'gen_ai.provider.name': 'openai-chat',
      'gen_ai.output.type': 'image',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 1310,
      'image_gateway.attempts': 2,
    });
    expect(server?.attributes['gen_ai.response.id']).toBe(answer.headers.get('x-request-id'));

    const clients = spansOf(SpanKind.CLIENT).sort(
      (a, b) => Number(a.attributes['image_gateway.attempt']) - Number(b.attributes['image_gateway.attempt']),
    );
    expect(clients).toHaveLength(2);
    const [first, second] = clients as [ReadableSpan, ReadableSpan];
    for (const client of clients) {
      expect(client.spanContext().traceId).toBe(traceId);
      expect(parentOf(client)).toBe(server?.spanContext().spanId);
      expect(client.name).toBe('chat shared-image');
    }
    expect(first.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai-chat',
      'gen_ai.request.model': 'shared-image',
      'gen_ai.output.type': 'image',
      'image_gateway.provider': 'relay-a',
      'error.type': 'server',
    });
    expect(first.status.code).toBe(2);
    expect(second.attributes).toMatchObject({
      'image_gateway.provider': 'relay-b',
      'gen_ai.response.model': 'shared-image',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 1310,
    });
    expect(second.attributes['error.type']).toBeUndefined();

    // Each upstream received the trace, with its own attempt's span as the parent.
    expect(failing.requests[0]?.headers.traceparent).toBe(`00-${traceId}-${first.spanContext().spanId}-01`);
    expect(drawing.requests[0]?.headers.traceparent).toBe(`00-${traceId}-${second.spanContext().spanId}-01`);

    // No key, prompt or image in any attribute.
    const attributes = JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes));
    expect(attributes).not.toContain('draw a red cat');
    expect(attributes).not.toContain('sk-relay');
    expect(attributes).not.toContain(gatewayKey);
    expect(attributes).not.toContain('base64');
  });

  it('a queued stream: the wait is an event on the server span, which ends with the stream', async () => {
    const { origin, drawing } = await tracedGateway({ capturePrompts: true });
    const leaving = new AbortController();
    const slow = chat(
      origin,
      { model: 'solo-image', messages: [{ role: 'user', content: 'draw [scenario:slow]' }] },
      {},
      leaving.signal,
    ).catch(() => undefined);
    await drawing.waitForRequests(1);
    const queued = await chat(origin, { model: 'solo-image', stream: true, messages: [{ role: 'user', content: 'draw a blue dog' }] });
    leaving.abort();
    await slow;
    const text = await queued.text();
    expect(text).toContain('data: [DONE]');

    const server = spansOf(SpanKind.SERVER).find(
      (span) => span.attributes['image_gateway.queue_ms'] !== undefined && span.events.length > 0,
    );
    expect(server?.events.map((event) => event.name)).toEqual(['image_gateway.queue_wait']);
    expect(server?.events[0]?.attributes?.['image_gateway.queue_ms']).toBeGreaterThan(0);
    // Ended after the stream's usage record: its attributes are on it.
    expect(server?.attributes['gen_ai.usage.output_tokens']).toBe(1310);
    const client = spansOf(SpanKind.CLIENT).find((span) => parentOf(span) === server?.spanContext().spanId);
    expect(client?.attributes['image_gateway.provider']).toBe('relay-b');
    // capturePrompts: the prompt goes into the client span, and only then.
    expect(String(client?.attributes['gen_ai.input.messages'])).toContain('draw a blue dog');
  });

  it('without traceparent the server span starts a trace, and tracing: false makes none', async () => {
    const { origin } = await tracedGateway();
    await (await chat(origin, { model: 'solo-image', messages: [{ role: 'user', content: 'draw a cat' }] })).text();
    const [server] = spansOf(SpanKind.SERVER);
    expect(server?.parentSpanContext).toBeUndefined();

    exporter.reset();
    const { baseURL } = await serveGateway({ tracing: false });
    for (let call = 0; call < 3; call++) await (await fetch(`${baseURL.replace(/\/v1$/, '')}/healthz`)).text();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
