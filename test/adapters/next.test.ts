import { NextRequest } from 'next/server.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createRouteHandlers } from '../../adapters/next.js';
import { activeGenerations, decodeImage, drawRequest, expectLiveStream, slowGateway, waitFor } from './adapter-test-helpers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function track<T extends { close(): Promise<void> }>(handlers: T): T {
  closers.push(() => handlers.close());
  return handlers;
}

const post = (url: string, body: unknown, signal?: AbortSignal) =>
  new NextRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });

describe('image-gateway/next', () => {
  it('answers a non-stream completion with a JPEG of the asked size', async () => {
    const { POST } = track(createRouteHandlers());
    const response = await POST(post('http://localhost:3000/v1/chat/completions', drawRequest()));
    expect(response.status).toBe(200);
    const completion = await response.json();
    expect(await decodeImage(completion.choices[0].message.content)).toEqual({ format: 'jpeg', width: 320, height: 240 });
  });

  it('answers paths in the catch-all it does not serve with a 404 in OpenAI error form', async () => {
    const { GET, POST } = track(createRouteHandlers());
    const models = await GET(new NextRequest('http://localhost:3000/v1/models'));
    expect((await models.json()).data.map((model: { id: string }) => model.id)).toContain('local-image');
    const unknown = await POST(post('http://localhost:3000/v1/embeddings', {}));
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatchObject({ type: 'not_found_error', code: 'NOT_FOUND' });
  });

  it('serves a catch-all under another folder with basePath', async () => {
    const { POST } = track(createRouteHandlers({ basePath: '/api' }));
    const response = await POST(post('http://localhost:3000/api/v1/chat/completions', drawRequest()));
    expect(response.status).toBe(200);
    expect(await decodeImage((await response.json()).choices[0].message.content)).toMatchObject({ width: 320, height: 240 });
    expect((await POST(post('http://localhost:3000/v1/chat/completions', drawRequest()))).status).toBe(404);
  });

  it('streams heartbeats before the image', async () => {
    const { POST } = track(createRouteHandlers({ gateway: slowGateway(600) }));
    const response = await POST(post('http://localhost:3000/v1/chat/completions', drawRequest({ stream: true })));
    expect(response.headers.get('cache-control')).toContain('no-transform');
    await expectLiveStream(response);
  });

  it('aborts the generation when the request signal aborts (Next aborts it when the client disconnects)', async () => {
    const gateway = slowGateway(3_000);
    const { POST } = track(createRouteHandlers({ gateway }));
    const client = new AbortController();
    const response = await POST(post('http://localhost:3000/v1/chat/completions', drawRequest({ stream: true }), client.signal));
    expect(response.status).toBe(200);
    await waitFor(() => activeGenerations(gateway) === 1, 5_000, 'the generation to start');
    const abortedAt = Date.now();
    client.abort();
    await waitFor(() => activeGenerations(gateway) === 0, 1_500, 'the generation to be aborted');
    expect(Date.now() - abortedAt).toBeLessThan(1_500);
    expect(gateway.stats().providers.local?.completed).toBe(0);
    await response.body?.cancel();
  });
});
