import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionsFromEnvironment } from '../../src/cli-config.js';
import { createImageGateway } from '../../src/index.js';
import { resolveGatewayOptions } from '../../src/options.js';
import { openRedisLink, type RedisLink } from '../../src/store/redis/redis-link.js';
import type { RedisStoreOptions } from '../../src/store/store-options.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../helpers/redis-server.js';

const redisStore = (url: string, extra: Partial<RedisStoreOptions> = {}): RedisStoreOptions => ({
  type: 'redis',
  url,
  keyPrefix: 'image-gateway:',
  leaseMs: 15_000,
  onUnavailable: 'failClosed',
  ...extra,
});

/** Resolves when the link reports `wanted`. */
function reachabilityBecomes(link: RedisLink, wanted: boolean): Promise<void> {
  if (link.reachable === wanted) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = link.onReachability((reachable) => {
      if (reachable !== wanted) return;
      stop();
      resolve();
    });
  });
}

describe('the store option', () => {
  it('defaults to memory and takes a Redis store with its defaults', () => {
    expect(resolveGatewayOptions({}).store).toEqual({ type: 'memory' });
    expect(resolveGatewayOptions({ store: { type: 'redis', url: 'redis://127.0.0.1:6379' } }).store).toEqual({
      type: 'redis',
      url: 'redis://127.0.0.1:6379',
      keyPrefix: 'image-gateway:',
      leaseMs: 15_000,
      onUnavailable: 'failClosed',
    });
  });

  it('names what is wrong with a bad store option', () => {
    expect(() => resolveGatewayOptions({ store: { type: 'redis', url: 'http://x' } })).toThrow(
      /options\.store\.url: must start with redis:\/\//,
    );
    expect(() => resolveGatewayOptions({ store: { type: 'redis', leaseMs: 10 } })).toThrow(/options\.store\.leaseMs/);
    expect(() => resolveGatewayOptions({ store: { type: 'redis', keyPrefix: 'a{b}' } })).toThrow(/must not contain braces/);
    expect(() => resolveGatewayOptions({ store: { type: 'redis', onUnavailable: 'open' as 'local' } })).toThrow(
      /options\.store\.onUnavailable/,
    );
    expect(() => resolveGatewayOptions({ store: { type: 'postgres' } as never })).toThrow(/options\.store/);
  });

  it('is Redis in the standalone server when REDIS_URL is set, memory otherwise', () => {
    expect(optionsFromEnvironment({ REDIS_URL: 'redis://10.0.0.5:6379/2' }, undefined).store).toEqual({
      type: 'redis',
      url: 'redis://10.0.0.5:6379/2',
    });
    expect(optionsFromEnvironment({}, undefined).store).toBeUndefined();
  });

  it('puts every key under one hash tag, after the prefix', () => {
    const link = openRedisLink(redisStore('redis://127.0.0.1:1', { keyPrefix: 'tenant-a:' }));
    expect(link.key('slots', 'gemini-1')).toBe('tenant-a:{gw}:slots:gemini-1');
    return link.close();
  });
});

describeWithRedis('the Redis link', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('connects, loses reachability while the server is down, and regains it when it is back, by itself', async () => {
    const seen: boolean[] = [];
    const link = openRedisLink(redisStore(server.url));
    link.onReachability((reachable) => seen.push(reachable));
    try {
      await reachabilityBecomes(link, true);
      expect(await link.client.set(link.key('probe'), '1')).toBe('OK');

      await server.pause();
      await reachabilityBecomes(link, false);
      // No offline queue: a command during the outage fails at once instead of waiting for the server.
      const started = Date.now();
      await expect(link.client.get(link.key('probe'))).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1_000);

      await server.restart();
      await reachabilityBecomes(link, true);
      expect(await link.client.set(link.key('probe'), '2')).toBe('OK');
      expect(seen).toEqual([true, false, true]);
    } finally {
      await link.close();
    }
  });

  it('gives a pub/sub connection that hears what the main one publishes', async () => {
    const link = openRedisLink(redisStore(server.url));
    try {
      await reachabilityBecomes(link, true);
      const subscriber = link.subscriber();
      expect(link.subscriber()).toBe(subscriber);
      const heard = new Promise<string>((resolve) => subscriber.once('message', (_channel: string, message: string) => resolve(message)));
      await subscriber.subscribe(link.key('events'));
      await link.client.publish(link.key('events'), 'hello');
      expect(await heard).toBe('hello');
    } finally {
      await link.close();
    }
  });

  it('adopts a client it is given (connecting one made with lazyConnect) and leaves it open at close', async () => {
    const client = new Redis(server.url, { lazyConnect: true });
    const link = openRedisLink(redisStore(server.url, { url: undefined, client }));
    await reachabilityBecomes(link, true);
    expect(link.client).toBe(client);
    await link.close();
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });

  it('is opened by a gateway with store redis and closed with it', async () => {
    const gateway = createImageGateway({ store: { type: 'redis', url: server.url }, providers: [{ type: 'local' }] });
    const monitor = new Redis(server.url);
    try {
      const clientCount = async () => ((await monitor.client('LIST')) as string).trim().split('\n').length;
      // The server sees connections come and go a moment after the client does: wait for the count.
      const countBecomes = async (wanted: number) => {
        const until = Date.now() + 5_000;
        while ((await clientCount()) !== wanted && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
        return clientCount();
      };
      // The monitor, the gateway's connection and its pub/sub connection (shared health listens).
      expect(await countBecomes(3)).toBe(3);
      await gateway.close();
      expect(await countBecomes(1)).toBe(1);
    } finally {
      await monitor.quit();
    }
  });
});
