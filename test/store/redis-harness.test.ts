import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithRedis, type RedisServer, startRedisServer } from '../helpers/redis-server.js';

describeWithRedis('the redis-server test harness', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves a real Redis with persistence off, and comes back on the same port after a pause', async () => {
    const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    await client.set('k', 'v');
    client.disconnect();
    await server.pause();
    await server.restart();
    const again = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await again.connect();
    // Persistence is off: a restarted server starts empty.
    expect(await again.get('k')).toBeNull();
    again.disconnect();
  });
});
