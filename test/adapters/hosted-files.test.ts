import express from 'express';
import Koa from 'koa';
import { NextRequest } from 'next/server.js';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { imageGateway as expressGateway } from '../../adapters/express.js';
import { imageGateway as koaGateway } from '../../adapters/koa.js';
import { createRouteHandlers } from '../../adapters/next.js';
import { drawRequest, track } from './adapter-test-helpers.js';

const urlMode = { images: { delivery: 'url' as const } };
const linkPath = (content: string) => {
  const match = /!\[generated\]\(https?:\/\/[^/]+(\/v1\/files\/images\/img_[0-9a-f]{32}\.jpeg)\)/.exec(content);
  expect(match, content.slice(0, 200)).not.toBeNull();
  return match?.[1] as string;
};

describe('hosted image files in the Node-path adapters', () => {
  for (const [name, app] of [
    ['express', () => express().use(track(expressGateway(urlMode)))],
    ['koa', () => new Koa().use(track(koaGateway(urlMode))).callback()],
  ] as const) {
    it(`${name}: GET, Range and HEAD, with no key`, async () => {
      const server = app();
      const completion = await request(server).post('/v1/chat/completions').send(drawRequest());
      const path = linkPath(completion.body.choices[0].message.content);
      const file = await request(server).get(path).buffer(true);
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe('image/jpeg');
      expect(file.headers['cache-control']).toMatch(/^private, max-age=\d+, immutable$/);
      const length = Number(file.headers['content-length']);
      expect(length).toBeGreaterThan(100);
      const part = await request(server).get(path).set('range', 'bytes=0-9');
      expect(part.status).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 0-9/${length}`);
      const head = await request(server).head(path);
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe(String(length));
      expect((await request(server).get(`/v1/files/images/img_${'0'.repeat(32)}`)).status).toBe(404);
    });
  }
});

describe('hosted image files through the Next route handlers', () => {
  it('serves GET and HEAD (exported) from the catch-all', async () => {
    const handlers = createRouteHandlers(urlMode);
    try {
      const completion = await handlers.POST(
        new NextRequest('http://localhost:3000/v1/chat/completions', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(drawRequest()),
        }),
      );
      const content = (await completion.json()).choices[0].message.content as string;
      expect(content).toMatch(/^!\[generated\]\(http:\/\/localhost:3000\/v1\/files\/images\//);
      const url = `http://localhost:3000${linkPath(content)}`;
      const file = await handlers.GET(new NextRequest(url));
      expect(file.headers.get('content-type')).toBe('image/jpeg');
      const length = (await file.arrayBuffer()).byteLength;
      const head = await handlers.HEAD(new NextRequest(url, { method: 'HEAD' }));
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(length));
    } finally {
      await handlers.close();
    }
  });
});
