import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { GatewayLogger } from '../../lib/logger.js';
import type { RedisStoreOptions, StoreUnavailableMode } from '../store-options.js';

/** An ioredis client, standalone or Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * The gateway's one connection to Redis, with what every user of the shared
 * store needs: keys under one hash tag, a pub/sub connection, and whether
 * Redis can be reached right now.
 *
 * @example
 * const link = openRedisLink({ type: 'redis', url: 'redis://127.0.0.1:6379', keyPrefix: 'image-gateway:', leaseMs: 15_000, onUnavailable: 'failClosed' });
 * await link.opened;
 * if (link.reachable) await link.client.incr(link.key('slots', 'gemini'));
 */
export interface RedisLink {
  /** The client; reading it before `opened` resolves throws (check `reachable` first: it is never true before). */
  readonly client: RedisClient;
  /** `${keyPrefix}{gw}:${parts.join(':')}`: every key carries the one hash tag `{gw}`, so the Lua scripts also run on Redis Cluster. */
  key(...parts: string[]): string;
  /** A second connection for SUBSCRIBE (a subscribed connection runs no other command), made on first use and closed with the link. */
  subscriber(): RedisClient;
  /** True while the connection is ready; commands fail fast, not queue, while it is false. */
  readonly reachable: boolean;
  /** Hears each change of `reachable`; returns the unsubscribe. */
  onReachability(listener: (reachable: boolean) => void): () => void;
  /** What to do while unreachable: 503 STORE_UNAVAILABLE, or this process's own limits. */
  readonly onUnavailable: StoreUnavailableMode;
  /** Slot lease, in ms. */
  readonly leaseMs: number;
  /** Resolves once the client exists (ioredis loaded); rejects with a clear error when ioredis is missing. */
  readonly opened: Promise<void>;
  /** Closes the connections the link made; a client passed in is left open for its owner. */
  close(): Promise<void>;
}

/** One hash tag for every key: Redis Cluster runs a script only over keys of one slot. */
const hashTag = '{gw}';
/** A command waits at most this long for its answer; past it the caller treats Redis as unreachable. */
export const redisCommandTimeoutMs = 2_000;
/** Reconnection backoff: doubling from 50 ms, capped here, for ever. */
const maxReconnectDelayMs = 2_000;

/** Exponential backoff, capped: a Redis that comes back is found within ~2 s, one that stays down costs one attempt per 2 s. */
export const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 10), maxReconnectDelayMs);

/**
 * Client options for the connection the gateway makes itself: no offline
 * queue and one retry per command, so a command during an outage fails at
 * once (admission can answer 503 or fall back) instead of waiting for a
 * reconnection that may never come; a command timeout for a Redis that
 * accepts the connection but does not answer; reconnection for ever.
 */
export const redisClientOptions: RedisOptions = {
  lazyConnect: false,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: redisCommandTimeoutMs,
  connectTimeout: 5_000,
  retryStrategy: reconnectDelay,
};

/** The error a store configured for Redis gives when the optional peer is not installed. */
export function missingIoredisError(cause: unknown): Error {
  return new Error(
    'store.type "redis" needs the optional peer dependency "ioredis" (>= 5.4), which could not be loaded: install it with `npm install ioredis`',
    { cause },
  );
}

type RedisConstructor = typeof import('ioredis').Redis;

async function loadIoredis(): Promise<RedisConstructor> {
  let loaded: { Redis?: RedisConstructor; default?: { Redis?: RedisConstructor } };
  try {
    loaded = (await import('ioredis')) as typeof loaded;
  } catch (error) {
    throw missingIoredisError(error);
  }
  // A CommonJS package seen from ESM: its named exports may sit on `default`.
  const Redis = loaded.Redis ?? loaded.default?.Redis;
  if (!Redis) throw missingIoredisError(new Error('the loaded "ioredis" module has no Redis export'));
  return Redis;
}

function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/**
 * Opens the link: loads ioredis (only now, and only for a Redis store),
 * connects (or adopts the given client) and follows its reachability. Never
 * throws: the connection is made in the background, and reachability says
 * when it is there; a missing ioredis rejects `opened` and is logged.
 */
export function openRedisLink(options: RedisStoreOptions, logger?: GatewayLogger): RedisLink {
  let client: RedisClient | undefined;
  let subscriber: RedisClient | undefined;
  let reachable = false;
  let closed = false;
  let unreachableSince: number | undefined;
  const listeners = new Set<(reachable: boolean) => void>();
  const owned = options.client === undefined;

  /** One loud line per outage (the first failed connection counts as one), and one when it ends. */
  const reportOutage = (reason: string) => {
    if (closed || unreachableSince !== undefined) return;
    unreachableSince = Date.now();
    logger?.warn(
      { store: 'redis', reason, onUnavailable: options.onUnavailable },
      options.onUnavailable === 'local'
        ? 'shared store (Redis) unreachable: each gateway process now applies its own limits (the upstream may see up to ' +
            'one configured concurrency per process) until it is back'
        : 'shared store (Redis) unreachable: new requests are refused with 503 STORE_UNAVAILABLE until it is back',
    );
  };

  const setReachable = (next: boolean, reason?: string) => {
    if (!next && reason) reportOutage(reason);
    if (next && unreachableSince !== undefined) {
      logger?.info(
        { store: 'redis', unreachableMs: Date.now() - unreachableSince },
        'shared store (Redis) reachable again: shared limits restored',
      );
      unreachableSince = undefined;
    }
    if (next === reachable) return;
    reachable = next;
    for (const listener of listeners) {
      try {
        listener(next);
      } catch (error) {
        logger?.error({ store: 'redis', error: (error as Error).message }, 'a store reachability listener threw');
      }
    }
  };

  const follow = (target: RedisClient) => {
    target.on('ready', () => setReachable(true));
    target.on('close', () => setReachable(false, 'connection closed'));
    target.on('end', () => setReachable(false, 'connection ended'));
    // Without an 'error' listener ioredis prints every failed reconnection to stderr.
    target.on('error', (error: Error) => {
      if (target.status !== 'ready') setReachable(false, error.message);
    });
    if (target.status === 'ready') setReachable(true);
  };

  const opened = (async () => {
    if (options.client) {
      client = options.client as unknown as RedisClient;
      // A client made with lazyConnect waits for a first command; the gateway's first one may come only after a request.
      if (client.status === 'wait') client.connect().catch(() => undefined);
    } else {
      const Redis = await loadIoredis();
      if (closed) return;
      client = new Redis(options.url ?? 'redis://127.0.0.1:6379', redisClientOptions);
    }
    follow(client);
  })();
  opened.catch((error: Error) => logger?.error({ store: 'redis', error: error.message }, 'shared store not opened'));

  return {
    get client(): RedisClient {
      if (!client) throw new Error('the Redis client is not loaded yet: check link.reachable (or await link.opened) first');
      return client;
    },
    key: (...parts: string[]) => `${options.keyPrefix}${hashTag}:${parts.join(':')}`,
    subscriber(): RedisClient {
      if (subscriber) return subscriber;
      const source = this.client;
      // A subscribed connection may queue its SUBSCRIBE until connected, and re-subscribes by itself after a reconnection.
      const override = { enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined, retryStrategy: reconnectDelay };
      subscriber = isCluster(source) ? source.duplicate(undefined, { redisOptions: override }) : source.duplicate(override);
      subscriber.on('error', () => {
        // Followed through the main connection's reachability; the subscriber reconnects on its own.
      });
      return subscriber;
    },
    get reachable() {
      return reachable;
    },
    onReachability(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onUnavailable: options.onUnavailable,
    leaseMs: options.leaseMs,
    opened,
    async close() {
      if (closed) return;
      closed = true;
      await opened.catch(() => undefined);
      const quits: Promise<unknown>[] = [];
      if (subscriber) quits.push(quitOrDisconnect(subscriber));
      if (client && owned) quits.push(quitOrDisconnect(client));
      await Promise.all(quits);
      setReachable(false);
      listeners.clear();
    },
  };
}

/** QUIT when connected (pending replies arrive first), else drop the socket: QUIT to a server that is down would wait. */
async function quitOrDisconnect(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // Fall through: the connection went away meanwhile.
    }
  }
  client.disconnect();
}
