import { describe, expect, it } from 'vitest';
import { createServer } from '../../adapters/node.js';
import { decodeImage, drawRequest, expectDisconnectAborts, expectLiveStream, listen, slowGateway } from './adapter-test-helpers.js';

const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('image-gateway/node', () => {
  it('serves completions, and 404s in OpenAI error form for other paths', async () => {
    const server = createServer();
    const url = await listen(server);
    const response = await fetch(`${url}/v1/chat/completions`, post(drawRequest()));
    expect(response.status).toBe(200);
    expect(await decodeImage((await response.json()).choices[0].message.content)).toEqual({ format: 'jpeg', width: 320, height: 240 });
    const missing = await fetch(`${url}/elsewhere`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('NOT_FOUND');
  });

  it('serves under basePath', async () => {
    const server = createServer({ basePath: '/ai' });
    const url = await listen(server);
    expect((await fetch(`${url}/ai/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(404);
  });

  it('streams heartbeats before the image', async () => {
    const server = createServer({ gateway: slowGateway(600) });
    await expectLiveStream(await fetch(`${await listen(server)}/v1/chat/completions`, post(drawRequest({ stream: true }))));
  });

  it.each([
    ['stream', true],
    ['non-stream', false],
  ])('aborts a %s generation when the client disconnects', async (_kind, stream) => {
    const server = createServer({ gateway: slowGateway(3_000) });
    await expectDisconnectAborts(server.gateway, `${await listen(server)}/v1/chat/completions`, 3_000, { stream });
  });

  it('close() drains the gateway too', async () => {
    const server = createServer();
    const url = await listen(server);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await closed;
    expect(server.listening).toBe(false);
    const health = await server.gateway.fetch(new Request('http://localhost/healthz'));
    expect(health.status).toBe(503);
  });
});
