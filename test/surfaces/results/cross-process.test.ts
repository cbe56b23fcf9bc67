import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InflightTracker } from '../../../src/server/inflight-tracker.js';
import type { BlobStore } from '../../../src/store/blob-store.js';
import { createMemoryBlobStore } from '../../../src/store/memory-blob-store.js';
import { ResultRegistry } from '../../../src/surfaces/results/result-registry.js';
import { type HeldRelayFake, startHeldRelayFake } from '../../fakes/held-relay-fake.js';
import { serveGateway } from '../served-gateway.js';

let relay: HeldRelayFake;
beforeEach(async () => {
  relay = await startHeldRelayFake();
});
afterEach(async () => {
  await relay.close();
});

/** Two gateways (as two processes would be) sharing one blob store and one keyIdSalt. */
async function twoGateways(blobs: BlobStore) {
  const options = {
    blobs,
    keyIdSalt: 'a-salt-shared-by-every-process',
    providers: [{ type: 'openai-chat' as const, name: 'relay', baseURL: relay.url, models: ['held-image'] }],
  };
  return Promise.all([serveGateway(options), serveGateway(options)]);
}

const body = { model: 'held-image', messages: [{ role: 'user' as const, content: 'draw a lighthouse' }] };

describe('Idempotency-Key across gateways sharing a blob store', () => {
  it('a retry sent to the other gateway while the first still runs waits for its answer: one upstream call', async () => {
    const [one, two] = await twoGateways(createMemoryBlobStore());
    relay.mode = 'hold';
    const key = { headers: { 'Idempotency-Key': 'shared-across' } };
    const first = one.client.chat.completions.create(body, key);
    await relay.waitForHeld(1);
    const retry = two.client.chat.completions.create(body, key).withResponse();
    const reused = await two.client.chat.completions
      .create({ ...body, messages: [{ role: 'user', content: 'another' }] }, key)
      .catch((caught) => caught);
    expect(reused.status).toBe(422);
    relay.releaseAll();
    const [answer, { data: again, response }] = await Promise.all([first, retry]);
    expect(again).toEqual(answer);
    expect(response.headers.get('x-gateway-result')).toBe('replayed');
    expect(relay.calls).toBe(1);
  });

  it("waits while another process holds the key's lease, and runs it itself once the lease lapsed (its owner died)", async () => {
    const blobs = createMemoryBlobStore();
    const registry = new ResultRegistry({ blobs, ttlMs: 60_000, waitMs: 10_000, pollMs: 10, inflight: new InflightTracker() });
    const key = registry.keyFor('idem', 'anonymous', 'orphaned');
    // What a process that died mid-run leaves: its lease, soon to lapse, and no answer.
    await blobs.put(
      `${key}:lease`,
      { bytes: new Uint8Array(0), contentType: 'application/octet-stream', metadata: { kind: 'lease', fingerprint: 'f', owner: 'dead' } },
      50,
    );
    let produced = 0;
    const startedAt = Date.now();
    const answer = await registry.serve(
      { idempotencyKey: key, fingerprint: 'f' },
      async () => {
        produced += 1;
        return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
      },
      () => ({ status: 500, headers: {}, body: '' }),
    );
    expect(answer.headers['x-gateway-result']).toBe('started');
    expect(produced).toBe(1);
    // It waited for the lease to lapse before running the key itself.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(45);
    await registry.close(1_000);
  });
});
