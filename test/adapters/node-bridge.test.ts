import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createGatewayListener, createServer, type GatewayServer } from '../../adapters/node.js';
import { createImageGateway, type ImageGateway } from '../../src/gateway/create-gateway.js';
import { closeServer, decodeImage, drawRequest, listen } from './adapter-test-helpers.js';

const servers: GatewayServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await closeServer(server);
});

async function serve(input: Parameters<typeof createServer>[0] = {}): Promise<{ server: GatewayServer; url: string }> {
  const server = createServer(input);
  servers.push(server);
  return { server, url: await listen(server) };
}

/** A raw HTTP/1.1 request, so tests can send what fetch() refuses to (odd Host headers, absolute-form targets). */
function rawRequest(
  url: string,
  options: { path: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { hostname, port, path: options.path, method: options.method ?? 'GET', headers: options.headers },
      (incoming) => {
        let body = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => {
          body += chunk;
        });
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

describe('the Node bridge', () => {
  it('gives an authenticate hook a Web Request with the method, URL and headers', async () => {
    const seen: Array<{ method: string; url: string; key: string | null }> = [];
    const { url } = await serve({
      authenticate: (request) => {
        seen.push({ method: request.method, url: request.url, key: request.headers.get('x-api-key') });
        return request.headers.get('x-api-key') === 'let-me-in';
      },
    });
    const denied = await fetch(`${url}/v1/models`);
    expect(denied.status).toBe(401);
    const allowed = await fetch(`${url}/v1/models?page=1`, { headers: { 'x-api-key': 'let-me-in' } });
    expect(allowed.status).toBe(200);
    expect(seen).toEqual([
      { method: 'GET', url: `${url}/v1/models`, key: null },
      { method: 'GET', url: `${url}/v1/models?page=1`, key: 'let-me-in' },
    ]);
  });

  it('answers 413 to a body over maxBodyBytes, closes that connection, and keeps serving', async () => {
    const { url } = await serve({ maxBodyBytes: 1_000 });
    const big = JSON.stringify({ model: 'local-image', messages: [{ role: 'user', content: 'x'.repeat(50_000) }] });
    const refused = await rawRequest(url, {
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: big,
    });
    expect(refused.status).toBe(413);
    expect(refused.headers.connection).toBe('close');
    expect(JSON.parse(refused.body).error.code).toBe('request_too_large');
    const next = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(drawRequest()),
    });
    expect(next.status).toBe(200);
  });

  it('routes by the request path whatever the Host header says', async () => {
    const { url } = await serve();
    const answer = await rawRequest(url, { path: '/v1/models', headers: { host: 'evil.example/healthz?' } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).object).toBe('list');
  });

  it('serves absolute-form request targets by their path', async () => {
    const { url } = await serve();
    const answer = await rawRequest(url, { path: 'http://gateway.internal:8080/healthz' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).status).toBe('ok');
  });

  it('serves a gateway object that only has fetch, through the Web converter', async () => {
    const real = createImageGateway();
    const wrapped: ImageGateway = {
      fetch: (request) => real.fetch(request),
      handles: (request) => real.handles(request),
      close: () => real.close(),
      stats: () => real.stats(),
      models: () => real.models(),
    };
    const { url } = await serve({ gateway: wrapped });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(drawRequest()),
    });
    expect(response.status).toBe(200);
    expect(await decodeImage((await response.json()).choices[0].message.content)).toEqual({ format: 'jpeg', width: 320, height: 240 });
  });

  it('reads a body a parser already consumed (connect-style listener with request.body)', async () => {
    const gateway = createImageGateway();
    const listener = createGatewayListener(gateway);
    const { createServer: createHttpServer } = await import('node:http');
    const server = createHttpServer((request, response) => {
      let text = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        text += chunk;
      });
      request.on('end', () => {
        (request as unknown as { body: unknown }).body = JSON.parse(text);
        listener(request, response);
      });
    });
    const url = await listen(server);
    try {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(drawRequest()),
      });
      expect(response.status).toBe(200);
      expect((await response.json()).object).toBe('chat.completion');
    } finally {
      await closeServer(server);
      await gateway.close();
    }
  });
});
