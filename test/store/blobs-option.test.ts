import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createImageGateway } from '../../src/gateway.js';
import { resolveGatewayOptions } from '../../src/options.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { createMemoryBlobStore } from '../../src/store/memory-blob-store.js';
import { openBlobStore } from '../../src/store/open-blob-store.js';

const now = () => Date.now();

describe('the blobs option', () => {
  it('defaults to a bounded memory store the gateway owns', () => {
    const opened = openBlobStore(resolveGatewayOptions({}).blobs, { now });
    expect(opened.store.kind).toBe('memory');
    expect(opened.owned).toBe(true);
  });

  it('takes a memory bound, a directory, or the host’s own store (which the gateway does not close)', async () => {
    const memory = openBlobStore(resolveGatewayOptions({ blobs: { type: 'memory', maxBytes: 10 } }).blobs, { now });
    await expect(memory.store.put('a', { bytes: new Uint8Array(11), contentType: 'image/png' }, 1000)).rejects.toThrow(RangeError);

    const directory = await mkdtemp(join(tmpdir(), 'blobs-option-'));
    try {
      const onDisk = openBlobStore(resolveGatewayOptions({ blobs: { type: 'directory', path: directory } }).blobs, { now });
      expect(onDisk.store.kind).toBe('directory');
      await onDisk.store.put('a', { bytes: new Uint8Array(1), contentType: 'image/png' }, 1000);
      expect(await readdir(directory)).toHaveLength(2);
      await onDisk.store.close?.();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }

    let closed = false;
    const own: BlobStore = {
      ...createMemoryBlobStore(),
      kind: 's3',
      close: async () => {
        closed = true;
      },
    };
    const hosted = openBlobStore(resolveGatewayOptions({ blobs: own }).blobs, { now });
    expect(hosted).toEqual({ store: own, owned: false });
    const gateway = createImageGateway({ blobs: own });
    await gateway.close();
    expect(closed).toBe(false);
  });

  it('refuses a bad choice with a TypeError naming the option', () => {
    expect(() => resolveGatewayOptions({ blobs: { type: 'directory' } as never })).toThrow(/options\.blobs/);
    expect(() => resolveGatewayOptions({ blobs: { type: 's3' } as never })).toThrow(/options\.blobs/);
    expect(() => resolveGatewayOptions({ blobs: { type: 'memory', maxBytes: -1 } })).toThrow(/options\.blobs/);
  });
});

describe('the hosted image file options', () => {
  it('refuse a bad publicUrl, delivery, TTL or signing secret with a TypeError naming the option', () => {
    expect(() => resolveGatewayOptions({ publicUrl: 'ftp://images.example.com' })).toThrow(/options\.publicUrl: must be an absolute http/);
    expect(() => resolveGatewayOptions({ publicUrl: 'https://images.example.com/?a=1' })).toThrow(/options\.publicUrl: must have no query/);
    expect(() => resolveGatewayOptions({ images: { delivery: 'link' as 'url' } })).toThrow(/options\.images\.delivery/);
    expect(() => resolveGatewayOptions({ images: { urlTtlSeconds: 0 } })).toThrow(/options\.images\.urlTtlSeconds/);
    expect(() => resolveGatewayOptions({ images: { urlSigningSecret: 'short' } })).toThrow(
      /options\.images\.urlSigningSecret: must be at least 32/,
    );
    expect(() => resolveGatewayOptions({ images: { maxSseLineBytes: 100 } })).toThrow(/options\.images\.maxSseLineBytes/);
    expect(resolveGatewayOptions({ publicUrl: 'https://images.example.com/gw/' }).publicUrl).toBe('https://images.example.com/gw');
  });
});
