import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/store/blob-store.js';
import { createDirectoryBlobStore } from '../../src/store/directory-blob-store.js';

const blob = (size: number, fill = 7) => ({ bytes: new Uint8Array(size).fill(fill), contentType: 'image/jpeg' });

describe('the directory blob store', () => {
  let directory: string;
  const opened: BlobStore[] = [];
  const open = (options: Partial<Parameters<typeof createDirectoryBlobStore>[0]> = {}) => {
    const store = createDirectoryBlobStore({ path: directory, ...options });
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'blob-dir-'));
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close?.();
    await rm(directory, { recursive: true, force: true });
  });

  it('returns the bytes, type and metadata put, until they expire, and removes the files then', async () => {
    let now = 1_000;
    const store = open({ now: () => now });
    await store.put('img_a', { ...blob(5), metadata: { owner: 'key_1' } }, 500);
    const entry = await store.get('img_a');
    expect(Buffer.from(entry?.bytes ?? []).equals(Buffer.alloc(5, 7))).toBe(true);
    expect(entry).toMatchObject({ contentType: 'image/jpeg', metadata: { owner: 'key_1' }, expiresAt: 1_500 });
    now = 1_500;
    expect(await store.get('img_a')).toBeUndefined();
    expect(await readdir(directory)).toEqual([]);
    expect(store.stats?.()).toEqual({ entries: 0, bytes: 0, evictions: 0 });
  });

  it('keeps every key inside its directory, whatever the key spells', async () => {
    const store = open();
    const hostile = ['../../escape', '/etc/passwd', '..', 'a/../../b', 'C:\\windows', '\u0000nul'];
    for (const key of hostile) await store.put(key, blob(1), 60_000);
    const names = await readdir(directory);
    expect(names).toHaveLength(hostile.length * 2);
    for (const name of names) expect(name).toMatch(/^[0-9a-f]{64}\.(blob|meta\.json)$/);
    for (const key of hostile) expect(await store.get(key)).toBeDefined();
  });

  it('evicts its oldest files first to stay within maxBytes, and counts it', async () => {
    const store = open({ maxBytes: 10 });
    await store.put('a', blob(4), 60_000);
    await store.put('b', blob(4), 60_000);
    await store.put('c', blob(4), 60_000);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBeDefined();
    expect(store.stats?.()).toEqual({ entries: 2, bytes: 8, evictions: 1 });
    await expect(store.put('big', blob(11), 60_000)).rejects.toThrow(/larger than the store's bound/);
    expect(await store.get('c')).toBeDefined();
    expect(await store.delete('c')).toBe(true);
    expect(await store.delete('c')).toBe(false);
  });

  it('serves what another store on the same directory wrote, and takes over a former run’s files on open', async () => {
    const writer = open();
    await writer.put('shared', blob(3, 1), 60_000);
    await writer.put('short', blob(3, 2), 1_000);
    // Opened two seconds later: 'short' has expired and is not taken over.
    const reader = open({ maxBytes: 4, now: () => Date.now() + 2_000 });
    expect((await reader.get('shared'))?.bytes[0]).toBe(1);
    expect(reader.stats?.()).toEqual({ entries: 1, bytes: 3, evictions: 0 });
    // Its bound covers what it took over: the older file makes room.
    await reader.put('next', blob(3, 3), 60_000);
    expect(await reader.get('shared')).toBeUndefined();
    expect(reader.stats?.()).toEqual({ entries: 1, bytes: 3, evictions: 1 });
  });

  it('sweeps expired files on its timer without a read', async () => {
    let now = 0;
    const store = open({ now: () => now, sweepIntervalMs: 10 });
    await store.put('a', blob(2), 100);
    now = 200;
    await expect.poll(() => readdir(directory), { timeout: 2_000, interval: 10 }).toEqual([]);
    expect(store.stats?.()).toEqual({ entries: 0, bytes: 0, evictions: 0 });
  });

  it('reads a damaged sidecar as nothing rather than as something else', async () => {
    const store = open();
    await store.put('a', blob(2), 60_000);
    const sidecar = (await readdir(directory)).find((name) => name.endsWith('.meta.json')) as string;
    await writeFile(join(directory, sidecar), '{"key":');
    expect(await store.get('a')).toBeUndefined();
  });
});
