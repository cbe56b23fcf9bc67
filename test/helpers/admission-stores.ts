import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { GatewayOptions } from '../../src/index.js';
import { hasRedisServer, type RedisServer, startRedisServer } from './redis-server.js';

export type AdmissionStoreKind = 'memory' | 'redis';

/**
 * The stores the queue suites run against: memory always; Redis when
 * `redis-server` is on PATH (and always under CI=true, where a missing one
 * fails in `startRedisServer`).
 */
export const admissionStores: AdmissionStoreKind[] = hasRedisServer() || process.env.CI === 'true' ? ['memory', 'redis'] : ['memory'];
if (!admissionStores.includes('redis')) console.warn('queue suites run on the memory store only: redis-server is not on PATH');

/**
 * Call inside a `describe`: for 'redis', starts a real redis-server for the
 * block and empties it before each test; returns the gateway options that
 * select the store (nothing for memory).
 *
 * @example
 * describe.each(admissionStores)('admission on the %s store', (kind) => {
 *   const store = useAdmissionStore(kind);
 *   it('...', () => { createImageGateway({ providers, ...store() }); });
 * });
 */
export function useAdmissionStore(kind: AdmissionStoreKind): () => Pick<GatewayOptions, 'store'> {
  if (kind === 'memory') return () => ({});
  let redis: RedisServer | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url);
    await client.ping();
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });
  beforeEach(async () => {
    await client?.flushdb();
  });
  // A client that is ready already: the gateway's store is reachable from its first request.
  return () => ({ store: { type: 'redis', client: client as Redis } });
}
