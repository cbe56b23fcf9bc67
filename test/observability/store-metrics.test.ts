import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../src/gateway.js';
import { parseExposition, sampleValue } from '../helpers/prometheus-text.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../helpers/redis-server.js';

describeWithRedis('/metrics with the Redis store', () => {
  let redis: RedisServer;
  let gateway: ImageGateway | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await gateway?.close();
    await redis?.stop();
  });

  const scrape = async () =>
    parseExposition(await (await (gateway as ImageGateway).fetch(new Request('http://gateway.test/metrics'))).text());

  it('shows whether the store answers, and the queue figures of every process beside this one', async () => {
    gateway = createImageGateway({
      metrics: { expose: 'public' },
      store: { type: 'redis', url: redis.url, keyPrefix: 'store-metrics:', onUnavailable: 'local' },
      providers: [{ type: 'local', name: 'local' }],
    });
    await vi.waitFor(() => expect(gateway?.stats().store.reachable).toBe(true), { timeout: 10_000 });
    const answer = await gateway.fetch(
      new Request('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'local-image', size: '64x64', messages: [{ role: 'user', content: 'draw a dot' }] }),
      }),
    );
    expect(answer.status).toBe(200);
    await answer.text();
    const shared = await scrape();
    expect(sampleValue(shared, 'image_gateway_store_reachable', { store: 'redis' })).toBe(1);
    expect(sampleValue(shared, 'image_gateway_slots_active_global', { provider: 'local' })).toBe(0);
    expect(sampleValue(shared, 'image_gateway_queue_waiting_global', { provider: 'local', kind: 'non_stream' })).toBe(0);

    await redis.pause();
    try {
      await vi.waitFor(() => expect(gateway?.stats().store.reachable).toBe(false), { timeout: 10_000 });
      expect(sampleValue(await scrape(), 'image_gateway_store_reachable', { store: 'redis' })).toBe(0);
    } finally {
      await redis.restart();
    }
  });
});
