import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Client } from 'undici';
import { describe, expect, it } from 'vitest';
import { imageGateway } from '../../adapters/hono.js';
import { decodeImage, drawRequest, expectDisconnectAborts, expectLiveStream, listen, slowGateway, track } from './adapter-test-helpers.js';

/**
 * `gatewayApp` mounted at / on @hono/node-server, and an undici client with
 * one connection to it, reused when the server allows: what a keep-alive pool does.
 */
async function oneConnectionTo(gatewayApp: ReturnType<typeof imageGateway>): Promise<Client> {
  const app = new Hono();
  app.route('/', track(gatewayApp));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false }) as Server;
  return track(new Client(await listen(server)));
}

const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('image-gateway/hono', () => {
  it('answers a non-stream completion with a JPEG of the asked size', async () => {
    const app = new Hono();
    app.route('/', track(imageGateway()));
    const response = await app.request('/v1/chat/completions', post(drawRequest()));
    expect(response.status).toBe(200);
    const completion = await response.json();
    expect(completion.object).toBe('chat.completion');
    expect(await decodeImage(completion.choices[0].message.content)).toEqual({ format: 'jpeg', width: 320, height: 240 });
  });

  it('falls through to the host app for paths it does not serve', async () => {
    const app = new Hono();
    app.route('/', track(imageGateway()));
    app.get('/status', (context) => context.json({ host: 'hono' }));
    app.post('/v1/embeddings', (context) => context.json({ host: 'embeddings' }));
    expect(await (await app.request('/status')).json()).toEqual({ host: 'hono' });
    expect(await (await app.request('/v1/embeddings', post({}))).json()).toEqual({ host: 'embeddings' });
    const missing = await app.request('/nowhere');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('404 Not Found');
  });

  it('strips the mount path given to app.route()', async () => {
    const app = new Hono();
    app.route('/ai', track(imageGateway()));
    const completion = await app.request('/ai/v1/chat/completions', post(drawRequest()));
    expect(completion.status).toBe(200);
    expect(await decodeImage((await completion.json()).choices[0].message.content)).toMatchObject({ width: 320, height: 240 });
    const models = await app.request('/ai/v1/models');
    expect((await models.json()).data.map((model: { id: string }) => model.id)).toContain('local-image');
    expect((await app.request('/v1/models')).status).toBe(404);
  });

  it('strips a mount path with parameters', async () => {
    const app = new Hono();
    app.route('/tenants/:tenant', track(imageGateway()));
    const models = await app.request('/tenants/acme/v1/models');
    expect(models.status).toBe(200);
    expect((await models.json()).object).toBe('list');
    expect((await app.request('/tenants/acme/v1/nothing')).status).toBe(404);
  });

  it('streams heartbeats before the image, through app.request and through a real server', async () => {
    const app = new Hono();
    app.route('/', track(imageGateway({ gateway: slowGateway(600) })));
    await expectLiveStream(await app.request('/v1/chat/completions', post(drawRequest({ stream: true }))));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false }) as Server;
    await expectLiveStream(await fetch(`${await listen(server)}/v1/chat/completions`, post(drawRequest({ stream: true }))));
  });

  it.each([
    ['stream', true],
    ['non-stream', false],
  ])('aborts a %s generation when the client disconnects from a mounted app', async (_kind, stream) => {
    const gateway = slowGateway(3_000);
    const app = new Hono();
    app.route('/ai', track(imageGateway({ gateway })));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false }) as Server;
    await expectDisconnectAborts(gateway, `${await listen(server)}/ai/v1/chat/completions`, 3_000, { stream });
  });

  it.each([
    ['413 over maxBodyBytes', 413, { maxBodyBytes: 100_000 }, {}],
    ['401 with a wrong key', 401, { apiKeys: ['sk-right-key-123456'] }, { authorization: 'Bearer sk-wrong-key-123456' }],
  ])(
    'closes the connection after a %s answered before the upload ended, so the next request on it works',
    async (_case, status, options, headers) => {
      const client = await oneConnectionTo(imageGateway(options));
      const rejected = await client.request({
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ ...drawRequest(), padding: 'x'.repeat(2_000_000) }),
      });
      expect(rejected.statusCode).toBe(status);
      expect(rejected.headers.connection).toBe('close');
      await rejected.body.text();
      const next = await client.request({ method: 'GET', path: '/healthz' });
      expect(next.statusCode).toBe(200);
      await next.body.text();
    },
  );

  it('keeps the connection alive after requests whose body it read', async () => {
    const client = await oneConnectionTo(imageGateway());
    const invalid = await client.request({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      body: '{"model":',
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers.connection).toBe('keep-alive');
    await invalid.body.text();
  });

  it('lets percent-encoded paths fall through, as the other adapters do, instead of serving them decoded', async () => {
    const app = new Hono();
    app.route('/', track(imageGateway()));
    for (const path of ['/v1/chat%2Fcompletions', '/v1%2Fchat%2Fcompletions', '/v1/chat/completion%73', '/v1/model%73']) {
      const response = await app.request(path, path.includes('model') ? {} : post(drawRequest()));
      expect(response.status, path).toBe(404);
      expect(await response.text()).toBe('404 Not Found');
    }
    // A model id's encoded "/" is no route's: /v1/models/{model} takes it, decoded once, by the gateway.
    const slashed = await app.request('/v1/models/local%2Fimage');
    expect(slashed.status).toBe(404);
    expect((await slashed.json()).error.message).toContain('The model "local/image" does not exist here');
    expect((await (await app.request('/v1/models/local-image')).json()).id).toBe('local-image');
    // An escape in the mount path above the gateway is the host's business: the route below it is served.
    const tenants = new Hono();
    tenants.route('/tenants/:tenant', track(imageGateway()));
    expect((await tenants.request('/tenants/ac%20me/v1/models')).status).toBe(200);
  });
});
