import type { BlobEntry, BlobStore, BlobStoreStats, StoredBlob } from './blob-store.js';

export interface MemoryBlobStoreOptions {
  /** Most bytes held at once; the oldest entries go first to make room. Default 256 MiB. */
  maxBytes?: number;
  /** Most entries held at once. Default 10 000. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Blobs in this process's memory, bounded in bytes and entries: the oldest
 * (by insertion) are evicted first, and counted. Expired entries are dropped
 * when read and, lazily, when the store needs room. A blob larger than
 * `maxBytes` is refused with a RangeError rather than emptying the store.
 *
 * @example
 * const blobs = createMemoryBlobStore({ maxBytes: 64 * 1024 * 1024 });
 */
export function createMemoryBlobStore(options: MemoryBlobStoreOptions = {}): BlobStore {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: its first key is the oldest entry.
  const entries = new Map<string, BlobEntry>();
  let bytes = 0;
  let evictions = 0;

  const remove = (key: string): boolean => {
    const entry = entries.get(key);
    if (!entry) return false;
    entries.delete(key);
    bytes -= entry.bytes.byteLength;
    return true;
  };

  const dropExpired = (): void => {
    const at = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= at) remove(key);
  };

  return {
    kind: 'memory',
    async put(key: string, blob: StoredBlob, ttlMs: number): Promise<void> {
      const size = blob.bytes.byteLength;
      if (size > maxBytes) throw new RangeError(`a blob of ${size} bytes is larger than the store's bound of ${maxBytes} bytes`);
      remove(key);
      if (bytes + size > maxBytes || entries.size + 1 > maxEntries) dropExpired();
      for (const oldest of entries.keys()) {
        if (bytes + size <= maxBytes && entries.size + 1 <= maxEntries) break;
        remove(oldest);
        evictions += 1;
      }
      entries.set(key, { ...blob, expiresAt: now() + ttlMs });
      bytes += size;
    },
    async get(key: string): Promise<BlobEntry | undefined> {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        remove(key);
        return undefined;
      }
      return entry;
    },
    async delete(key: string): Promise<boolean> {
      return remove(key);
    },
    stats(): BlobStoreStats {
      return { entries: entries.size, bytes, evictions };
    },
  };
}
