import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { imageGateway } from '../../adapters/hono.js';
import { decodeImage, drawRequest, expectDisconnectAborts, expectLiveStream, listen, slowGateway, track } from './adapter-test-helpers.js';

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
});
