import { describe, expect, it } from 'vitest';
import { createMemoryBlobStore } from '../../src/store/memory-blob-store.js';

const blob = (size: number) => ({ bytes: new Uint8Array(size), contentType: 'application/octet-stream' });

describe('the memory blob store', () => {
  it('returns what was put until it expires, then nothing', async () => {
    let now = 1_000;
    const store = createMemoryBlobStore({ now: () => now });
    await store.put('a', { ...blob(3), metadata: { owner: 'k1' } }, 500);
    expect((await store.get('a'))?.metadata).toEqual({ owner: 'k1' });
    expect((await store.get('a'))?.expiresAt).toBe(1_500);
    now = 1_500;
    expect(await store.get('a')).toBeUndefined();
    expect(store.stats?.()).toEqual({ entries: 0, bytes: 0, evictions: 0 });
  });

  it('evicts the oldest first to stay within its bytes and entries, and counts it', async () => {
    const store = createMemoryBlobStore({ maxBytes: 10, maxEntries: 3 });
    await store.put('a', blob(4), 60_000);
    await store.put('b', blob(4), 60_000);
    await store.put('c', blob(4), 60_000);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBeDefined();
    await store.put('d', blob(1), 60_000);
    await store.put('e', blob(1), 60_000);
    expect(await store.get('b')).toBeUndefined();
    expect(store.stats?.()).toEqual({ entries: 3, bytes: 6, evictions: 2 });
  });

  it('refuses a blob larger than the whole store rather than emptying it', async () => {
    const store = createMemoryBlobStore({ maxBytes: 10 });
    await store.put('a', blob(4), 60_000);
    await expect(store.put('big', blob(11), 60_000)).rejects.toThrow(/larger than the store's bound/);
    expect(await store.get('a')).toBeDefined();
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
  });
});
