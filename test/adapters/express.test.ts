import compression from 'compression';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { imageGateway } from '../../adapters/express.js';
import { decodeImage, drawRequest, expectDisconnectAborts, expectLiveStream, listen, slowGateway, track } from './adapter-test-helpers.js';

describe('image-gateway/express', () => {
  it('answers a non-stream completion with a JPEG of the asked size', async () => {
    const app = express();
    app.use(track(imageGateway()));
    const response = await request(app).post('/v1/chat/completions').send(drawRequest());
    expect(response.status).toBe(200);
    expect(response.body.object).toBe('chat.completion');
    expect(await decodeImage(response.body.choices[0].message.content)).toEqual({ format: 'jpeg', width: 320, height: 240 });
  });

  it('calls next() for paths it does not serve, so the host app answers them', async () => {
    const app = express();
    app.use(track(imageGateway()));
    app.get('/status', (_request, response) => {
      response.json({ host: 'express' });
    });
    const own = await request(app).get('/status');
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ host: 'express' });
    const unknown = await request(app).post('/v1/embeddings').send({});
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('Cannot POST /v1/embeddings');
  });

  it('serves under a mount path and leaves the unprefixed paths to the host', async () => {
    const app = express();
    app.use('/ai', track(imageGateway()));
    const models = await request(app).get('/ai/v1/models');
    expect(models.status).toBe(200);
    expect(models.body.data.map((model: { id: string }) => model.id)).toContain('local-image');
    const completion = await request(app).post('/ai/v1/chat/completions').send(drawRequest());
    expect(completion.status).toBe(200);
    expect(await decodeImage(completion.body.choices[0].message.content)).toMatchObject({ width: 320, height: 240 });
    expect((await request(app).get('/v1/models')).status).toBe(404);
  });

  it('copes with express.json() having parsed the body first', async () => {
    const app = express();
    app.use(express.json({ limit: '10mb' }));
    app.use(track(imageGateway()));
    const completion = await request(app)
      .post('/v1/chat/completions')
      .send(drawRequest({ size: '240x120' }));
    expect(completion.status).toBe(200);
    expect(await decodeImage(completion.body.choices[0].message.content)).toMatchObject({ width: 240, height: 120 });
    const invalid = await request(app).post('/v1/chat/completions').send({ model: 'local-image' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.type).toBe('invalid_request_error');
  });

  it('streams heartbeats while the generation runs, even behind compression()', async () => {
    const app = express();
    app.use(compression());
    app.use(track(imageGateway({ gateway: slowGateway(600) })));
    const server = app.listen(0);
    const url = await listen(server);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      body: JSON.stringify(drawRequest({ stream: true })),
    });
    expect(response.headers.get('cache-control')).toContain('no-transform');
    await expectLiveStream(response);
  });

  it.each([
    ['stream', true],
    ['non-stream', false],
  ])('aborts a %s generation when the client disconnects', async (_kind, stream) => {
    const gateway = slowGateway(3_000);
    const app = express();
    app.use(track(imageGateway({ gateway })));
    const server = app.listen(0);
    await expectDisconnectAborts(gateway, `${await listen(server)}/v1/chat/completions`, 3_000, { stream });
  });

  it('exposes close(), after which the gateway reports shutting down', async () => {
    const middleware = imageGateway();
    const app = express();
    app.use(middleware);
    await middleware.close();
    const health = await request(app).get('/healthz');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('shutting_down');
  });
});
