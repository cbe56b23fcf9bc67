import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../../src/index.js';
import { admissionStores, useAdmissionStore } from '../../helpers/admission-stores.js';
import { dataChunks, parseSse, postChat, readSseIncrementally, waitFor } from '../../helpers/gateway-client.js';
import { createScriptedProvider } from '../../helpers/scripted-provider.js';

let gateway: ImageGateway;
afterEach(async () => {
  await gateway?.close();
});

const draw = (extra: Record<string, unknown> = {}) => ({
  model: 'scripted-image',
  messages: [{ role: 'user', content: 'draw a cat' }],
  ...extra,
});

describe.each(admissionStores)('on the %s store', (kind) => {
  const store = useAdmissionStore(kind);

  describe('admission', () => {
    it('with concurrency 1 and maxWaiting 1, answers 200, 200 and one immediate 429 with the seed body', async () => {
      const scripted = createScriptedProvider({ id: 'one', concurrency: 1 });
      gateway = createImageGateway({ ...store(), providers: [scripted.provider], queue: { maxWaiting: 1 } });
      const first = postChat(gateway, draw());
      await waitFor(() => scripted.pending.length === 1);
      const second = postChat(gateway, draw());
      await waitFor(() => gateway.stats().providers.one?.waiting.nonStream === 1);
      const third = await postChat(gateway, draw());
      expect(third.status).toBe(429);
      expect(await third.text()).toBe('{"error":{"message":"Queue is full","type":"rate_limit_exceeded","code":"QUEUE_FULL"}}');
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      scripted.pending[0]?.succeed();
      await waitFor(() => scripted.pending.length === 1 && gateway.stats().providers.one?.waiting.nonStream === 0);
      scripted.pending[0]?.succeed();
      const [firstResponse, secondResponse] = await Promise.all([first, second]);
      expect(firstResponse.status).toBe(200);
      expect(secondResponse.status).toBe(200);
      expect(Number(secondResponse.headers.get('x-gateway-queue-ms'))).toBeGreaterThanOrEqual(0);
      expect(scripted.state.maxActive).toBe(1);
    });

    it('queues ten concurrent streams behind one slot; those that waited saw heartbeats and their queue position', async () => {
      const slow = createScriptedProvider({ id: 'one', concurrency: 1 });
      gateway = createImageGateway({ ...store(), providers: [slow.provider], queue: { maxWaiting: 0 }, heartbeatIntervalMs: 20 });
      const responses = await Promise.all(Array.from({ length: 10 }, () => postChat(gateway, draw({ stream: true }))));
      expect(responses.every((response) => response.status === 200)).toBe(true);
      const bodies = responses.map((response) => readSseIncrementally(response, () => true));
      // Release the calls one at a time, each after the queue has had time to send heartbeats.
      for (let served = 0; served < 10; served += 1) {
        await waitFor(() => slow.pending.length === 1);
        await new Promise((resolve) => setTimeout(resolve, 45));
        slow.pending[0]?.succeed();
      }
      const results = await Promise.all(bodies);
      for (const items of results) {
        expect(items.at(-1)).toEqual({ kind: 'data', value: '[DONE]' });
        expect(dataChunks(items).some((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toBe(true);
      }
      const waited = results.slice(1);
      expect(waited.every((items) => items.some((item) => item.kind === 'comment' && item.value === 'keep-alive'))).toBe(true);
      expect(results.some((items) => items.some((item) => item.kind === 'comment' && /^queue position \d+$/.test(item.value)))).toBe(true);
      expect(slow.state.maxActive).toBe(1);
    });
  });

  describe('cancellation', () => {
    it('aborts 1 000 requests at random points and leaves zero waiting, zero active and every slot usable', async () => {
      const scripted = createScriptedProvider({ id: 'pool', concurrency: 4 });
      gateway = createImageGateway({ ...store(), providers: [scripted.provider], queue: { maxWaiting: 2_000 } });
      const controllers = Array.from({ length: 1_000 }, () => new AbortController());
      const requests = controllers.map((controller, index) =>
        postChat(gateway, draw({ stream: index % 2 === 0 }), { signal: controller.signal })
          .then(async (response) => {
            // Streams answer at once; drain them so their work runs to its abort.
            if (response.body) await response.text().catch(() => '');
            return response.status;
          })
          .catch(() => 'aborted'),
      );
      // Abort in a shuffled order, with event-loop turns in between, so some are waiting and some are running.
      const order = controllers.map((_, index) => index).sort(() => Math.random() - 0.5);
      for (const [position, index] of order.entries()) {
        controllers[index]?.abort();
        if (position % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(requests);
      await waitFor(() => {
        const stats = gateway.stats().providers.pool;
        return stats?.active === 0 && stats.waiting.stream === 0 && stats.waiting.nonStream === 0;
      });
      expect(scripted.state.active).toBe(0);
      // Every slot is usable: four calls run at once again.
      const again = Array.from({ length: 4 }, () => postChat(gateway, draw()));
      await waitFor(() => scripted.pending.length === 4);
      for (const call of [...scripted.pending]) call.succeed();
      expect((await Promise.all(again)).map((response) => response.status)).toEqual([200, 200, 200, 200]);
    });
  });

  describe('deadlines', () => {
    it('answers QUEUE_TIMEOUT 503 when no slot frees within queue.maxWaitMs', async () => {
      const scripted = createScriptedProvider({ id: 'one', concurrency: 1 });
      gateway = createImageGateway({ ...store(), providers: [scripted.provider], queue: { maxWaitMs: 50 } });
      const running = postChat(gateway, draw());
      await waitFor(() => scripted.pending.length === 1);
      const waited = await postChat(gateway, draw());
      expect(waited.status).toBe(503);
      expect((await waited.json()).error).toMatchObject({ type: 'server_error', code: 'QUEUE_TIMEOUT' });
      const stream = await postChat(gateway, draw({ stream: true }));
      const items = parseSse(await stream.text());
      expect(items.at(-1)).toEqual({ kind: 'data', value: '[DONE]' });
      expect(JSON.parse((items.at(-2) as { value: string }).value).error.code).toBe('QUEUE_TIMEOUT');
      scripted.pending[0]?.succeed();
      expect((await running).status).toBe(200);
    });

    it('answers GENERATION_TIMEOUT 504 when the provider exceeds its timeout, and frees the slot', async () => {
      const scripted = createScriptedProvider({ id: 'one', concurrency: 1, timeoutMs: 50 });
      gateway = createImageGateway({ ...store(), providers: [scripted.provider] });
      const response = await postChat(gateway, draw());
      expect(response.status).toBe(504);
      expect((await response.json()).error).toMatchObject({ type: 'server_error', code: 'GENERATION_TIMEOUT' });
      expect(scripted.state.aborted).toBe(1);
      expect(gateway.stats().providers.one?.active).toBe(0);
    });
  });

  describe('close()', () => {
    it('refuses new work, answers every waiter, lets running work finish within the grace period', async () => {
      const scripted = createScriptedProvider({ id: 'one', concurrency: 1 });
      gateway = createImageGateway({ ...store(), providers: [scripted.provider], queue: { maxWaiting: 5 }, shutdownGraceMs: 5_000 });
      const running = postChat(gateway, draw());
      await waitFor(() => scripted.pending.length === 1);
      const waiting = postChat(gateway, draw());
      await waitFor(() => gateway.stats().providers.one?.waiting.nonStream === 1);
      const closed = gateway.close();
      const waitingResponse = await waiting;
      expect(waitingResponse.status).toBe(503);
      expect((await waitingResponse.json()).error.code).toBe('SHUTTING_DOWN');
      const refused = await postChat(gateway, draw());
      expect(refused.status).toBe(503);
      expect((await refused.json()).error.code).toBe('SHUTTING_DOWN');
      const health = await gateway.fetch(new Request('http://gateway.test/healthz'));
      expect(health.status).toBe(503);
      expect((await health.json()).status).toBe('shutting_down');
      scripted.pending[0]?.succeed();
      expect((await running).status).toBe(200);
      await closed;
    });

    it('aborts running work when the grace period runs out', async () => {
      const scripted = createScriptedProvider({ id: 'one', concurrency: 1 });
      gateway = createImageGateway({ ...store(), providers: [scripted.provider], shutdownGraceMs: 30 });
      const running = postChat(gateway, draw());
      await waitFor(() => scripted.pending.length === 1);
      await gateway.close();
      const response = await running;
      expect(response.status).toBe(503);
      expect((await response.json()).error.code).toBe('SHUTTING_DOWN');
      expect(scripted.state.aborted).toBe(1);
    });
  });

  describe('visibility', () => {
    it('reports per-provider queue figures in stats() and a summary in /healthz', async () => {
      const scripted = createScriptedProvider({ id: 'one', concurrency: 2, auto: () => 'succeed' });
      gateway = createImageGateway({ ...store(), providers: [scripted.provider], healthDetails: true });
      for (let index = 0; index < 3; index += 1) expect((await postChat(gateway, draw())).status).toBe(200);
      const stats = gateway.stats().providers.one;
      expect(stats).toMatchObject({
        type: 'scripted',
        concurrency: 2,
        active: 0,
        completed: 3,
        failed: 0,
        waiting: { stream: 0, nonStream: 0 },
      });
      expect(stats?.generationMs.p50).not.toBeNull();
      expect(stats?.queueMs.p95).not.toBeNull();
      const health = await (await gateway.fetch(new Request('http://gateway.test/healthz'))).json();
      expect(health).toEqual({
        status: 'ok',
        // A memory gateway's answer is as before; a Redis one names its store.
        ...(kind === 'redis' ? { store: { type: 'redis', reachable: true, mode: 'shared' } } : {}),
        providers: { one: { type: 'scripted', state: 'closed', concurrency: 2, active: 0, waiting: 0 } },
      });
      if (kind === 'redis') expect(stats?.global).toEqual({ active: 0, waiting: { stream: 0, nonStream: 0 } });
    });
  });

  describe('waiting room across instances', () => {
    it('moves a waiter to another of its instances with room, so a request pinned to a full one is admitted', async () => {
      const big = createScriptedProvider({ id: 'big', concurrency: 2 });
      const small = createScriptedProvider({ id: 'small', concurrency: 1 });
      gateway = createImageGateway({ ...store(), providers: [big.provider, small.provider] });
      const waiting = () => gateway.stats().providers.big?.waiting.nonStream ?? 0;
      const running = [postChat(gateway, draw()), postChat(gateway, draw()), postChat(gateway, draw())];
      await waitFor(() => big.pending.length === 2 && small.pending.length === 1);
      // One waiter pinned to the small instance, then two that either can serve: the big one has the most room for both.
      const leaving = new AbortController();
      const pinnedSmall = postChat(gateway, draw({ model: 'small/scripted-image' }), { signal: leaving.signal }).catch(() => 'left');
      await waitFor(() => gateway.stats().providers.small?.waiting.nonStream === 1);
      const either = [postChat(gateway, draw()), postChat(gateway, draw())];
      await waitFor(() => waiting() === 2);
      leaving.abort();
      await pinnedSmall;
      await waitFor(() => gateway.stats().providers.small?.waiting.nonStream === 0);
      // The big instance's room is taken by waiters the small one has room for: one moves, and this one waits.
      const pinnedBig = postChat(gateway, draw({ model: 'big/scripted-image' }));
      await waitFor(() => waiting() + (gateway.stats().providers.small?.waiting.nonStream ?? 0) === 3);
      expect(gateway.stats().providers.small?.waiting.nonStream).toBe(1);
      const all = Promise.all([...running, ...either, pinnedBig]);
      let settled = false;
      void all.finally(() => {
        settled = true;
      });
      while (!settled) {
        for (const call of [...big.pending, ...small.pending]) call.succeed();
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect((await all).map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);
    });
  });
});
