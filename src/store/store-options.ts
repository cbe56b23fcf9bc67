import { z } from 'zod';

/**
 * What the gateway needs of a Redis client you pass in: an ioredis `Redis`
 * or `Cluster` fits. Typed by shape, not by ioredis's own types, so that
 * ioredis stays an optional peer: a user of the memory store compiles
 * without it.
 */
export interface RedisClientOption {
  readonly status: string;
  on(event: string, listener: (...args: never[]) => void): unknown;
  duplicate(...args: never[]): unknown;
}

/** What the failure mode does while the shared store cannot be reached. */
export type StoreUnavailableMode = 'failClosed' | 'local';

export const defaultStoreKeyPrefix = 'image-gateway:';
export const defaultLeaseMs = 15_000;

const isRedisClient = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as RedisClientOption).on === 'function' &&
  typeof (value as RedisClientOption).duplicate === 'function' &&
  typeof (value as RedisClientOption).status === 'string';

const redisStoreSchema = z
  .object({
    type: z.literal('redis'),
    /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS; absent with no client: redis://127.0.0.1:6379. */
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    /** An ioredis Redis or Cluster client you made; the gateway uses it and leaves closing it to you. */
    client: z.custom<RedisClientOption>(isRedisClient, 'must be an ioredis Redis or Cluster client').optional(),
    /** Prefix of every key; gateways sharing limits share it. */
    keyPrefix: z
      .string()
      .max(100)
      .regex(/^[^{}\s]*$/, 'must not contain braces or white space (the gateway adds its own hash tag)')
      .default(defaultStoreKeyPrefix),
    /** How long a slot lease lasts without renewal: a process that dies gives its slots back within this time. */
    leaseMs: z.int().min(1_000).max(300_000).default(defaultLeaseMs),
    /** While Redis is unreachable: refuse new work with 503 STORE_UNAVAILABLE, or fall back to this process's own limits. */
    onUnavailable: z.enum(['failClosed', 'local']).default('failClosed'),
  })
  .strict()
  .refine((store) => !(store.url && store.client), 'give either url or client, not both');

/** `store`: where limits, health and usage live; memory (one process) or Redis (every process that shares it). */
export const storeOptionsSchema = z
  .discriminatedUnion('type', [z.object({ type: z.literal('memory') }).strict(), redisStoreSchema])
  .default({ type: 'memory' });

export type StoreOptions = z.output<typeof storeOptionsSchema>;
export type RedisStoreOptions = Extract<StoreOptions, { type: 'redis' }>;
