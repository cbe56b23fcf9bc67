import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGatewayListener, createServer, type GatewayServer } from '../../../adapters/node.js';
import { createImageGateway, type ImageGateway } from '../../../src/gateway.js';
import { closeServer, decodeImage, drawRequest, listen, waitFor } from '../adapter-test-helpers.js';

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

  it('refuses, with a TypeError that says what to do, a gateway object createImageGateway did not make', () => {
    const real = createImageGateway();
    const wrapped: ImageGateway = {
      fetch: (request) => real.fetch(request),
      handles: (request) => real.handles(request),
      close: () => real.close(),
      stats: () => real.stats(),
      models: () => real.models(),
    };
    // One Node path: the adapters write answers themselves, which only the gateway's own host entry allows.
    expect(() => createGatewayListener(wrapped)).toThrow(/must be a gateway made by createImageGateway.*call its fetch/);
    return real.close();
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

  it('gives an authenticate hook the body, and still serves the request whole', async () => {
    const authenticate = async (request: Request) => ((await request.clone().json()) as { model?: string }).model === 'local-image';
    const { url } = await serve({ authenticate });
    const ask = (model: string) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...drawRequest(), model }),
      });
    const served = await ask('local-image');
    expect(served.status).toBe(200);
    expect(await decodeImage((await served.json()).choices[0].message.content)).toEqual({ format: 'jpeg', width: 320, height: 240 });
    expect((await ask('other-model')).status).toBe(401);
  });

  it('aborts every pipelined stream when the client drops the connection', async () => {
    const { server, url } = await serve({ providers: [{ type: 'local', delayMs: 60_000, concurrency: 2 }] });
    const body = JSON.stringify({ model: 'local-image', stream: true, size: '64x64', messages: [{ role: 'user', content: 'draw a cat' }] });
    const one = `POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      socket.on('error', () => {});
      // Twelve: a 'close' listener per queued request made Node warn of a leak past ten.
      socket.write(one.repeat(12));
      const local = () => server.gateway.stats().providers.local;
      await waitFor(() => (local()?.active ?? 0) + (local()?.waiting.stream ?? 0) === 12, 5_000, 'twelve requests admitted');
      socket.destroy();
      await waitFor(() => local()?.active === 0 && local()?.waiting.stream === 0, 5_000, 'every request aborted');
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('answers a client that leaves mid-upload as 499, not as a gateway failure', async () => {
    const failures: unknown[] = [];
    const rejected: Array<{ status?: number }> = [];
    const logger = {
      info: (entry: unknown) => rejected.push(entry as { status?: number }),
      warn: () => {},
      error: (entry: unknown) => failures.push(entry),
    };
    const { server, url } = await serve({ logger });
    const arrived = new Promise((resolve) => server.once('request', resolve));
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.on('error', () => {});
    socket.write(
      'POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":',
    );
    await arrived;
    socket.destroy();
    await waitFor(() => rejected.some((entry) => entry.status === 499), 5_000, 'a 499 logged');
    expect(failures).toEqual([]);
  });

  it('closes the connection after a 413 for a declared Content-Length over the limit', async () => {
    const { url } = await serve({ maxBodyBytes: 1_000 });
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{');
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
  });

  it('normalises dot segments as the URL parser does, and sends no Content-Length with a 204', async () => {
    const { url } = await serve({ cors: true });
    expect((await rawRequest(url, { path: '/v1/./models' })).status).toBe(200);
    expect((await rawRequest(url, { path: '/x/../healthz' })).status).toBe(200);
    const preflight = await rawRequest(url, {
      path: '/v1/chat/completions',
      method: 'OPTIONS',
      headers: { origin: 'https://app.example' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['content-length']).toBeUndefined();
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
  });

  it('reads a repeated Authorization header as gateway.fetch does: all values, so a valid first one does not pass', async () => {
    const key = 'sk-local-1234567890';
    const { server, url } = await serve({ apiKeys: [key] });
    const { port } = new URL(url);
    const ask = async (authorizations: string[]) => {
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      const lines = authorizations.map((value) => `authorization: ${value}\r\n`).join('');
      socket.write(`GET /v1/models HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${lines}\r\n`);
      let text = '';
      for await (const chunk of socket) text += chunk;
      return Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]);
    };
    expect(await ask([`Bearer ${key}`])).toBe(200);
    expect(await ask([`Bearer ${key}`, 'Bearer sk-other'])).toBe(401);
    const headers = new Headers([
      ['authorization', `Bearer ${key}`],
      ['authorization', 'Bearer sk-other'],
    ]);
    expect((await server.gateway.fetch(new Request(`${url}/v1/models`, { headers }))).status).toBe(401);
  });

  it('does not trust a Host header that no URL could hold', async () => {
    const seen: string[] = [];
    const { url } = await serve({
      authenticate: (request) => {
        seen.push(request.url);
        return true;
      },
    });
    for (const host of ['example.com:99999', '1.2.3.4.5', '[1.2.3.4]']) {
      const answer = await rawRequest(url, { path: '/v1/models', headers: { host } });
      expect(answer.status).toBe(200);
    }
    expect(seen.every((address) => address === 'http://localhost/v1/models')).toBe(true);
  });
});
