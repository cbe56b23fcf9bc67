import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from '../../../adapters/node.js';
import type { BlobStore, StoredBlob } from '../../../src/store/blob-store.js';
import { createMemoryBlobStore } from '../../../src/store/memory-blob-store.js';
import { type HeldRelayFake, startHeldRelayFake } from '../../fakes/held-relay-fake.js';
import { gatewayKey, serveGateway } from '../served-gateway.js';

let relay: HeldRelayFake;
beforeEach(async () => {
  relay = await startHeldRelayFake();
});
afterEach(async () => {
  await relay.close();
});

describe('detached runs on every generating surface, and at shutdown', () => {
  it('replays images.generate and a responses.create under their Idempotency-Key: same image, one generation each', async () => {
    const { client, server } = await serveGateway();
    const key = { headers: { 'Idempotency-Key': 'images-key' } };
    const first = await client.images.generate({ model: 'local-image', prompt: 'a red lighthouse', size: '256x256' }, key);
    const { data: second, response } = await client.images
      .generate({ model: 'local-image', prompt: 'a red lighthouse', size: '256x256' }, key)
      .withResponse();
    expect(response.headers.get('x-gateway-result')).toBe('replayed');
    expect(second.data?.[0]?.b64_json).toBe(first.data?.[0]?.b64_json);
    expect(second.created).toBe(first.created);

    const responseKey = { headers: { 'Idempotency-Key': 'responses-key' } };
    const made = await client.responses.create(
      { model: 'local-image', input: 'Draw a cat', tools: [{ type: 'image_generation' }] },
      responseKey,
    );
    const again = await client.responses.create(
      { model: 'local-image', input: 'Draw a cat', tools: [{ type: 'image_generation' }] },
      responseKey,
    );
    expect(again.id).toBe(made.id);
    expect(server.gateway.stats().results).toMatchObject({ replayed: 2, running: 0, store: { kind: 'memory' } });
  });

  it('close() cancels a running background response as the shutdown says, and leaves it stored as failed', async () => {
    relay.mode = 'hold';
    const memory = createMemoryBlobStore();
    const written: StoredBlob[] = [];
    const blobs: BlobStore = {
      kind: 'recording',
      put: (key, blob, ttlMs) => {
        written.push(blob);
        return memory.put(key, blob, ttlMs);
      },
      get: (key) => memory.get(key),
      delete: (key) => memory.delete(key),
    };
    const server = createServer({
      apiKeys: [gatewayKey],
      providers: [{ type: 'openai-chat', name: 'relay', baseURL: relay.url, models: ['held-image'] }],
      blobs,
      shutdownGraceMs: 50,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new OpenAI({ apiKey: gatewayKey, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const queued = await client.responses.create({ model: 'held-image', input: 'Draw a lighthouse', background: true });
    await relay.waitForHeld(1);

    await server.gateway.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expect.poll(() => relay.held).toBe(0);
    expect(server.gateway.stats().results?.running).toBe(0);
    const stored = written
      .filter((blob) => blob.metadata?.kind === 'response')
      .map((blob) => JSON.parse(new TextDecoder().decode(blob.bytes)));
    const response = stored.find((value) => value.id === queued.id);
    expect(response).toMatchObject({ status: 'failed', background: true });
    expect(response.error.message).toBeTruthy();
  });
});
