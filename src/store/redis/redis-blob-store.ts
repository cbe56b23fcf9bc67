import type { BlobEntry, BlobStore, StoredBlob } from '../blob-store.js';
import type { RedisLink } from './redis-link.js';

export interface RedisBlobStoreOptions {
  /** Key segment after the gateway's prefix and hash tag, so several blob stores share one Redis: `image-gateway:{gw}:<namespace>:<key>`. Default `blob`. */
  namespace?: string;
  now?: () => number;
}

/**
 * Blobs in Redis, one hash per blob (`bytes`, `contentType`, `metadata` as
 * JSON) with a PEXPIRE, so every gateway process reads what any of them
 * wrote. Put is one round trip (MULTI: DEL, HSET, PEXPIRE), get one
 * (HGETALL and PTTL pipelined); `expiresAt` comes from the PTTL. What it may
 * hold is bounded by Redis's own `maxmemory` and eviction policy, not by
 * the gateway: under `volatile-*` or `allkeys-*` policies an evicted blob
 * reads as `undefined`, like an expired one; under `noeviction` a full Redis
 * refuses the put (it rejects). While Redis is unreachable put, get and
 * delete reject at once.
 *
 * @example
 * const blobs = createRedisBlobStore(link, { namespace: 'files' });
 * await blobs.put('img_3f…', { bytes, contentType: 'image/png' }, 3_600_000);
 */
export function createRedisBlobStore(link: RedisLink, options: RedisBlobStoreOptions = {}): BlobStore {
  const namespace = options.namespace ?? 'blob';
  const now = options.now ?? Date.now;
  const keyOf = (key: string) => link.key(namespace, key);

  return {
    kind: 'redis',
    async put(key: string, blob: StoredBlob, ttlMs: number): Promise<void> {
      if (!(ttlMs >= 1)) throw new RangeError(`a blob's lifetime must be at least 1 ms, got ${ttlMs}`);
      const redisKey = keyOf(key);
      const bytes = Buffer.from(blob.bytes.buffer, blob.bytes.byteOffset, blob.bytes.byteLength);
      const metadata = blob.metadata ? JSON.stringify(blob.metadata) : '';
      const results = await link.client
        .multi()
        .del(redisKey)
        .hset(redisKey, 'bytes', bytes, 'contentType', blob.contentType, 'metadata', metadata)
        .pexpire(redisKey, Math.ceil(ttlMs))
        .exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('the Redis transaction that stores the blob was aborted');
    },
    async get(key: string): Promise<BlobEntry | undefined> {
      const redisKey = keyOf(key);
      const results = await link.client.pipeline().hgetallBuffer(redisKey).pttl(redisKey).exec();
      const [[readError, fields], [ttlError, ttl]] = (results ?? []) as [[Error | null, Record<string, Buffer>], [Error | null, number]];
      if (readError || ttlError) throw readError ?? ttlError;
      // -2: gone; -1: no expiry, which a blob written here never lacks: read as gone rather than kept for ever.
      if (!fields?.bytes || !fields.contentType || ttl < 0) return undefined;
      const metadataText = fields.metadata?.toString('utf8') ?? '';
      return {
        bytes: new Uint8Array(fields.bytes.buffer, fields.bytes.byteOffset, fields.bytes.byteLength),
        contentType: fields.contentType.toString('utf8'),
        metadata: metadataText ? (JSON.parse(metadataText) as Record<string, string>) : undefined,
        expiresAt: now() + ttl,
      };
    },
    async delete(key: string): Promise<boolean> {
      return (await link.client.del(keyOf(key))) > 0;
    },
  };
}
