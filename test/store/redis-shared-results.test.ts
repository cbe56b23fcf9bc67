import sharp from 'sharp';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type HeldRelayFake, startHeldRelayFake } from '../fakes/held-relay-fake.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { serveGateway } from '../surfaces/served-gateway.js';

const drawing = { model: 'local-image', size: '160x96', messages: [{ role: 'user' as const, content: 'draw a red lighthouse' }] };

describeWithRedis('two gateway processes on one Redis: files and results are shared', () => {
  let redis: RedisServer;
  let relay: HeldRelayFake;
  beforeAll(async () => {
    redis = await startRedisServer();
    relay = await startHeldRelayFake();
  });
  afterAll(async () => {
    await relay?.close();
    await redis?.stop();
  });

  /** Two gateways as two processes would be: one Redis, one keyIdSalt, nothing else in common. */
  const twoGateways = async (prefix: string) => {
    const options = {
      store: { type: 'redis' as const, url: redis.url, keyPrefix: prefix },
      keyIdSalt: 'a-salt-shared-by-every-process',
      images: { delivery: 'url' as const },
      providers: [
        { type: 'local' as const, name: 'local' },
        { type: 'openai-chat' as const, name: 'relay', baseURL: relay.url, models: ['held-image'] },
      ],
    };
    const served = await Promise.all([serveGateway(options), serveGateway(options)]);
    // Connecting is asynchronous; with the default failClosed a request before it is ready gets 503 STORE_UNAVAILABLE.
    await vi.waitFor(() => expect(served.every(({ server }) => server.gateway.stats().store.reachable)).toBe(true), { timeout: 10_000 });
    return served;
  };

  it('serves from one gateway the image file another stored (the Redis blob store is the default)', async () => {
    const [one, two] = await twoGateways('shared-files:');
    const completion = await one.client.chat.completions.create(drawing as never);
    const url = /!\[[^\]]*\]\(([^)]+)\)/.exec(completion.choices[0]?.message.content ?? '')?.[1] as string;
    expect(url).toContain(one.baseURL.replace('/v1', ''));
    const onTwo = url.replace(one.baseURL.replace('/v1', ''), two.baseURL.replace('/v1', ''));
    const file = await fetch(onTwo);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    const metadata = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
    expect([metadata.width, metadata.height]).toEqual([160, 96]);
    expect((await fetch(onTwo.replace(/img_[0-9a-f]{4}/, 'img_0000'))).status).toBe(404);
  });

  it('replays on one gateway the answer a keyed request got from the other: one upstream call', async () => {
    const [one, two] = await twoGateways('shared-results:');
    relay.mode = 'answer';
    const callsBefore = relay.calls;
    const body = { model: 'held-image', messages: [{ role: 'user' as const, content: 'draw a lighthouse' }] };
    const key = { headers: { 'Idempotency-Key': 'retry-on-the-other-process' } };
    const first = await one.client.chat.completions.create(body, key);
    const { data: again, response } = await two.client.chat.completions.create(body, key).withResponse();
    expect(response.headers.get('x-gateway-result')).toBe('replayed');
    expect(again).toEqual(first);
    expect(relay.calls - callsBefore).toBe(1);
  });
});
