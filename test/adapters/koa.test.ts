import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import mount from 'koa-mount';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { imageGateway } from '../../adapters/koa.js';
import { decodeImage, drawRequest, expectDisconnectAborts, expectLiveStream, listen, slowGateway, track } from './adapter-test-helpers.js';

describe('image-gateway/koa', () => {
  it('answers a non-stream completion with a JPEG of the asked size', async () => {
    const app = new Koa();
    app.use(track(imageGateway()));
    const response = await request(app.callback()).post('/v1/chat/completions').send(drawRequest());
    expect(response.status).toBe(200);
    expect(response.headers['x-gateway-provider']).toBe('local');
    expect(await decodeImage(response.body.choices[0].message.content)).toEqual({ format: 'jpeg', width: 320, height: 240 });
  });

  it('falls through with await next() for paths it does not serve, and upstream middleware still runs', async () => {
    const app = new Koa();
    const seen: Array<[string, number]> = [];
    app.use(async (context, next) => {
      await next();
      seen.push([context.path, context.status]);
    });
    app.use(track(imageGateway()));
    app.use((context) => {
      context.body = { host: 'koa' };
    });
    const own = await request(app.callback()).get('/status');
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ host: 'koa' });
    const models = await request(app.callback()).get('/v1/models');
    expect(models.status).toBe(200);
    expect(models.body.object).toBe('list');
    expect(seen).toEqual([
      ['/status', 200],
      ['/v1/models', 200],
    ]);
  });

  it('serves under a prefix with koa-mount and with the basePath option', async () => {
    const app = new Koa();
    app.use(mount('/ai', track(imageGateway())));
    app.use(track(imageGateway({ basePath: '/api' })));
    const mounted = await request(app.callback()).post('/ai/v1/chat/completions').send(drawRequest());
    expect(mounted.status).toBe(200);
    expect(await decodeImage(mounted.body.choices[0].message.content)).toMatchObject({ width: 320, height: 240 });
    const prefixed = await request(app.callback()).get('/api/v1/models');
    expect(prefixed.status).toBe(200);
    expect(prefixed.body.data.map((model: { id: string }) => model.id)).toContain('local-image');
    expect((await request(app.callback()).get('/v1/models')).status).toBe(404);
  });

  it('copes with @koa/bodyparser having parsed the body first', async () => {
    const app = new Koa();
    app.use(bodyParser());
    app.use(track(imageGateway()));
    const completion = await request(app.callback())
      .post('/v1/chat/completions')
      .send(drawRequest({ size: '240x120' }));
    expect(completion.status).toBe(200);
    expect(await decodeImage(completion.body.choices[0].message.content)).toMatchObject({ width: 240, height: 120 });
  });

  it('streams heartbeats while the generation runs', async () => {
    const app = new Koa();
    app.use(track(imageGateway({ gateway: slowGateway(600) })));
    const server = app.listen(0);
    const response = await fetch(`${await listen(server)}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(drawRequest({ stream: true })),
    });
    await expectLiveStream(response);
  });

  it.each([
    ['stream', true],
    ['non-stream', false],
  ])('aborts a %s generation when the client disconnects', async (_kind, stream) => {
    const gateway = slowGateway(3_000);
    const app = new Koa();
    app.use(track(imageGateway({ gateway })));
    const server = app.listen(0);
    await expectDisconnectAborts(gateway, `${await listen(server)}/v1/chat/completions`, 3_000, { stream });
  });
});
