import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BlobStore } from '../../src/store/blob-store.js';
import { createRedisBlobStore } from '../../src/store/redis/redis-blob-store.js';
import { openRedisLink, type RedisLink } from '../../src/store/redis/redis-link.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../helpers/redis-server.js';

describeWithRedis('the Redis blob store', () => {
  let server: RedisServer;
  let link: RedisLink;
  let blobs: BlobStore;
  beforeAll(async () => {
    server = await startRedisServer();
    link = openRedisLink({ type: 'redis', url: server.url, keyPrefix: 'blobs-test:', leaseMs: 15_000, onUnavailable: 'failClosed' });
    await new Promise<void>((resolve) => link.onReachability((reachable) => reachable && resolve()));
    blobs = createRedisBlobStore(link, { namespace: 'files' });
  });
  afterAll(async () => {
    await link?.close();
    await server?.stop();
  });

  it('gives back the exact bytes, type and metadata, with when they expire', async () => {
    // Every byte value, zero bytes and invalid UTF-8 included: the bytes go as binary, not as text.
    const bytes = new Uint8Array(randomBytes(300_000));
    bytes.set([0, 0xff, 0xc3, 0x28], 0);
    const before = Date.now();
    await blobs.put('img_1', { bytes, contentType: 'image/png', metadata: { owner: 'proj_a', created: '1733480000' } }, 60_000);
    const entry = await blobs.get('img_1');
    expect(entry?.contentType).toBe('image/png');
    expect(entry?.metadata).toEqual({ owner: 'proj_a', created: '1733480000' });
    expect(Buffer.from(entry?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);
    expect(entry?.expiresAt).toBeGreaterThan(before + 59_000);
    expect(entry?.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);

    // Under the gateway's prefix and hash tag, so a Cluster keeps it beside the gateway's other keys.
    const inspector = new Redis(server.url);
    expect(await inspector.exists('blobs-test:{gw}:files:img_1')).toBe(1);
    await inspector.quit();
  });

  it('replaces a blob put again under the same key, metadata included', async () => {
    await blobs.put('img_2', { bytes: new Uint8Array([1]), contentType: 'image/png', metadata: { a: '1' } }, 60_000);
    await blobs.put('img_2', { bytes: new Uint8Array([2, 3]), contentType: 'image/webp' }, 60_000);
    const entry = await blobs.get('img_2');
    expect([...(entry?.bytes ?? [])]).toEqual([2, 3]);
    expect(entry?.contentType).toBe('image/webp');
    expect(entry?.metadata).toBeUndefined();
  });

  it('reads an expired blob as undefined, and deletes', async () => {
    await blobs.put('short', { bytes: new Uint8Array([1, 2, 3]), contentType: 'application/json' }, 40);
    expect(await blobs.get('short')).toBeDefined();
    // Redis expires the key itself; nothing to await but its clock.
    const until = Date.now() + 2_000;
    while ((await blobs.get('short')) !== undefined && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await blobs.get('short')).toBeUndefined();

    await blobs.put('gone', { bytes: new Uint8Array([1]), contentType: 'image/png' }, 60_000);
    expect(await blobs.delete('gone')).toBe(true);
    expect(await blobs.delete('gone')).toBe(false);
    expect(await blobs.get('gone')).toBeUndefined();
    expect(await blobs.get('never-there')).toBeUndefined();
  });

  it('refuses a lifetime under 1 ms', async () => {
    await expect(blobs.put('x', { bytes: new Uint8Array([1]), contentType: 'image/png' }, 0)).rejects.toThrow(RangeError);
  });

  it('rejects at once while Redis is down, and works again when it is back', async () => {
    await blobs.put('kept', { bytes: new Uint8Array([9]), contentType: 'image/png' }, 60_000);
    await server.pause();
    await new Promise<void>((resolve) => {
      if (!link.reachable) resolve();
      else link.onReachability((reachable) => !reachable && resolve());
    });
    const started = Date.now();
    await expect(blobs.get('kept')).rejects.toThrow();
    await expect(blobs.put('new', { bytes: new Uint8Array([1]), contentType: 'image/png' }, 60_000)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
    await server.restart();
    await new Promise<void>((resolve) => {
      if (link.reachable) resolve();
      else link.onReachability((reachable) => reachable && resolve());
    });
    // Persistence is off: what the restarted server held is gone, and reads as such.
    expect(await blobs.get('kept')).toBeUndefined();
    await blobs.put('new', { bytes: new Uint8Array([1]), contentType: 'image/png' }, 60_000);
    expect((await blobs.get('new'))?.contentType).toBe('image/png');
  });
});
