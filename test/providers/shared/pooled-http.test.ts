import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/errors/upstream-error.js';
import { createPooledHttp } from '../../../src/providers/shared/pooled-http.js';
import { fetchUpstream } from '../../../src/providers/shared/upstream-fetch.js';

/** A dispatcher whose https origin answers every call with a redirect to `location`, and passes plain http through. */
function httpsToHttpRedirect(location: string): MockAgent {
  const agent = new MockAgent();
  agent.enableNetConnect();
  const { hostname, port } = new URL(location);
  agent.get(`https://${hostname}:${port}`).intercept({ path: '/start' }).reply(308, '', { headers: { location } });
  return agent;
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(
  handler: (request: Seen, response: ServerResponse) => void,
  host = '127.0.0.1',
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body };
    seen.push(entry);
    handler(entry, response);
  });
  servers.push(server);
  server.listen(0, host);
  await once(server, 'listening');
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, seen };
}

describe('createPooledHttp', () => {
  it('sends the call and reads status, headers and body as fetch would', async () => {
    const { url, seen } = await serve((_, response) => {
      response.writeHead(201, 'Made', { 'content-type': 'application/json', 'x-many': ['a', 'b'] });
      response.end('\uFEFF{"ok":true}');
    });
    const http = createPooledHttp();
    const response = await http(`${url}/v1/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(response).toMatchObject({ status: 201, statusText: 'Made', ok: true });
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('x-many')).toBe('a, b');
    expect(response.headers.get('missing')).toBeNull();
    // Like Response.text(), a byte-order mark is dropped.
    expect(await response.text()).toBe('{"ok":true}');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/x', body: '{"a":1}' });
  });

  it('hands on a big body in chunks, letting the event loop turn between 256 KiB runs', async () => {
    const size = 4 * 1024 * 1024;
    const { url } = await serve((_, response) => response.end(Buffer.alloc(size, 120)));
    const response = await createPooledHttp()(url, {});
    let turns = 0;
    let stop = false;
    const tick = () => {
      if (stop) return;
      turns += 1;
      setImmediate(tick);
    };
    setImmediate(tick);
    let length = 0;
    for await (const chunk of response.chunks()) length += chunk.length;
    stop = true;
    expect(length).toBe(size);
    expect(turns).toBeGreaterThanOrEqual(Math.floor(size / (256 * 1024)) - 1);
  });

  it('keeps the connection of a body it stopped reading early (a stream read up to its [DONE])', async () => {
    let release: () => void = () => {};
    const { url } = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: [DONE]\n\n');
      // The rest of the body comes only after the reader stopped.
      release = () => response.end(': trailing comment\n\n');
    });
    const agent = new Agent();
    const response = await createPooledHttp({ dispatcher: agent })(url, { method: 'GET' });
    for await (const chunk of response.chunks()) {
      expect(Buffer.from(chunk).toString()).toContain('[DONE]');
      break;
    }
    release();
    // Destroying the body mid-message would close the connection; letting go of it reads the rest.
    const origin = new URL(url).origin;
    const stats = () => agent.stats[origin] as { free?: number; connected?: number } | undefined;
    while (stats()?.free !== 1) {
      expect(stats()?.connected).toBe(1);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await agent.close();
  });

  it('follows a redirect on the same host, keeping the method and body for 307 and turning a 303 into a GET', async () => {
    const { url, seen } = await serve((request, response) => {
      if (request.url === '/start') response.writeHead(307, { location: '/kept' }).end();
      else if (request.url === '/kept') response.writeHead(303, { location: '/final' }).end();
      else response.end(`${request.method} ${request.body}`);
    });
    const response = await createPooledHttp()(`${url}/start`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'payload',
    });
    expect(await response.text()).toBe('GET ');
    expect(seen.map((entry) => `${entry.method} ${entry.url} ${entry.body}`)).toEqual([
      'POST /start payload',
      'POST /kept payload',
      'GET /final ',
    ]);
    expect(seen[2]?.headers['content-type']).toBeUndefined();
  });

  it('sends a body given as pieces unjoined, with its length declared, and again after a 307', async () => {
    const { url, seen } = await serve((request, response) => {
      if (request.url === '/first') response.writeHead(307, { location: '/second' }).end();
      else response.end('ok');
    });
    const image = Buffer.alloc(300_000, 65);
    const pieces = ['{"prompt":"héllo","image":"', image, '"}'];
    const response = await createPooledHttp()(`${url}/first`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: pieces,
    });
    expect(await response.text()).toBe('ok');
    const expected = `{"prompt":"héllo","image":"${image.toString('latin1')}"}`;
    expect(seen.map((entry) => entry.body === expected)).toEqual([true, true]);
    expect(seen.map((entry) => entry.headers['content-length'])).toEqual([
      String(Buffer.byteLength(expected)),
      String(Buffer.byteLength(expected)),
    ]);
  });

  it('sends a small body given as pieces joined into one, byte for byte, with its length', async () => {
    const { url, seen } = await serve((_, response) => response.end('ok'));
    const image = new Uint8Array([65, 66, 67]); // a plain Uint8Array, not a Buffer
    const pieces = ['{"prompt":"héllo ✓","image":"', image, '"}'];
    const response = await createPooledHttp()(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: pieces });
    expect(await response.text()).toBe('ok');
    const expected = '{"prompt":"héllo ✓","image":"ABC"}';
    expect(seen[0]?.body).toBe(expected);
    expect(seen[0]?.headers['content-length']).toBe(String(Buffer.byteLength(expected)));
    expect(seen[0]?.headers['transfer-encoding']).toBeUndefined();
  });

  it('does not follow a redirect to another host, so a key in a header never reaches it', async () => {
    const other = await serve((_, response) => response.end('other'), '127.0.0.2');
    const { url } = await serve((_, response) => response.writeHead(302, { location: `${other.url}/steal` }).end());
    const response = await createPooledHttp()(url, { method: 'GET', headers: { authorization: 'Bearer sk-secret' } });
    expect(response.status).toBe(302);
    expect(other.seen).toHaveLength(0);
  });

  it('reports a redirect it did not follow as a retryable upstream failure naming where it led, not as a client error', async () => {
    const other = await serve((_, response) => response.end('other'), '127.0.0.2');
    const { url } = await serve((_, response) => response.writeHead(301, { location: `${other.url}/v1/x?key=secret` }).end());
    const error = await fetchUpstream({
      provider: 'relay',
      url: `${url}/v1/x`,
      init: { method: 'POST', body: '{}' },
      signal: new AbortController().signal,
      http: createPooledHttp(),
    }).catch((caught: unknown) => caught);
    expect(UpstreamError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'server', status: 301, retryable: true });
    expect((error as UpstreamError).message).toContain(`to ${other.url}/v1/x;`);
    expect((error as UpstreamError).message).not.toContain('secret');
    expect((error as UpstreamError).message).toContain('point baseURL there');
  });

  it('does not follow a redirect from https to http', async () => {
    const { url, seen } = await serve((_, response) => response.end('plain'));
    const { hostname, port } = new URL(url);
    const http = createPooledHttp({ dispatcher: httpsToHttpRedirect(`http://${hostname}:${port}/plain`) });
    const response = await http(`https://${hostname}:${port}/start`, { method: 'GET' });
    expect(response.status).toBe(308);
    expect(seen).toHaveLength(0);
  });

  it("aborts the call and its body with the signal's reason", async () => {
    const { url } = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: 1\n\n');
    });
    const controller = new AbortController();
    const response = await createPooledHttp()(url, { signal: controller.signal });
    const chunks = response.chunks(controller.signal)[Symbol.asyncIterator]();
    expect(Buffer.from((await chunks.next()).value as Uint8Array).toString()).toBe('data: 1\n\n');
    const reason = new Error('client left');
    controller.abort(reason);
    await expect(chunks.next()).rejects.toBe(reason);
  });
});
