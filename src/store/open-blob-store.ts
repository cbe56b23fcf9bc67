import type { BlobStore } from './blob-store.js';
import type { ResolvedBlobStoreOption } from './blob-store-options.js';
import { createDirectoryBlobStore } from './directory-blob-store.js';
import { createMemoryBlobStore } from './memory-blob-store.js';
import { createRedisBlobStore } from './redis/redis-blob-store.js';
import type { RedisLink } from './redis/redis-link.js';

/** The blob store a gateway uses, and whether the gateway owns it (closes it on `close()`). */
export interface OpenedBlobStore {
  readonly store: BlobStore;
  /** False for a store the host app passed in: its life is the host's to end. */
  readonly owned: boolean;
}

/**
 * The one place that decides which blob store the gateway uses: the `blobs`
 * option when given, else the default. A shared `store` (Redis) makes its own
 * blob store the default, so that any process serves a file another stored;
 * that choice belongs here too.
 */
export function openBlobStore(
  choice: ResolvedBlobStoreOption | undefined,
  context: { now: () => number; redisLink?: RedisLink },
): OpenedBlobStore {
  if (choice === undefined) {
    // The link is closed by the gateway itself; the blob store on it holds nothing to close.
    if (context.redisLink) return { store: createRedisBlobStore(context.redisLink, { now: context.now }), owned: true };
    return { store: createMemoryBlobStore({ now: context.now }), owned: true };
  }
  if (isOwnStore(choice)) return { store: choice, owned: false };
  if (choice.type === 'directory') {
    return { store: createDirectoryBlobStore({ path: choice.path, maxBytes: choice.maxBytes, now: context.now }), owned: true };
  }
  return { store: createMemoryBlobStore({ maxBytes: choice.maxBytes, maxEntries: choice.maxEntries, now: context.now }), owned: true };
}

function isOwnStore(choice: ResolvedBlobStoreOption): choice is BlobStore {
  return typeof (choice as BlobStore).put === 'function';
}
