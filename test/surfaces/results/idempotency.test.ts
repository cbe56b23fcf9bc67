import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HeldRelayFake, startHeldRelayFake } from '../../fakes/held-relay-fake.js';
import { gatewayKey, serveGateway } from '../served-gateway.js';

const otherKey = 'sk-surfaces-test-key-0002';
let relay: HeldRelayFake;

beforeEach(async () => {
  relay = await startHeldRelayFake();
  relay.mode = 'hold';
});
afterEach(async () => {
  await relay.close();
});

function relayGateway() {
  return serveGateway({
    apiKeys: [gatewayKey, otherKey],
    providers: [{ type: 'openai-chat', name: 'relay', baseURL: relay.url, models: ['held-image'] }],
  });
}

const body = { model: 'held-image', messages: [{ role: 'user' as const, content: 'draw a lighthouse' }] };
const keyed = (key: string, signal?: AbortSignal) => ({ headers: { 'Idempotency-Key': key }, signal });

describe('Idempotency-Key on POST /v1/chat/completions, driven by the openai SDK over a socket', () => {
  it('a client that aborts mid-generation and retries with the same key gets the same image, from one upstream generation', async () => {
    const { client, server } = await relayGateway();
    const abort = new AbortController();
    const first = client.chat.completions.create(body, keyed('retry-key-1', abort.signal));
    await relay.waitForHeld(1);
    abort.abort();
    await expect(first).rejects.toThrow();

    const retry = client.chat.completions.create(body, keyed('retry-key-1')).withResponse();
    await expect.poll(() => server.gateway.stats().results?.attached).toBe(1);
    relay.releaseAll();
    const { data: attached, response } = await retry;
    expect(response.headers.get('x-gateway-result')).toBe('attached');
    expect(attached.choices[0]?.message.content).toContain('![generated](data:image/');

    const { data: replayed, response: replay } = await client.chat.completions.create(body, keyed('retry-key-1')).withResponse();
    expect(replay.headers.get('x-gateway-result')).toBe('replayed');
    expect(replayed).toEqual(attached);
    expect(relay.calls).toBe(1);

    // Without a key, the client leaving still aborts the upstream call and frees the slot.
    const unkeyed = new AbortController();
    const plain = client.chat.completions.create(body, { signal: unkeyed.signal });
    await relay.waitForHeld(1);
    unkeyed.abort();
    await expect(plain).rejects.toThrow();
    await expect.poll(() => relay.held).toBe(0);
  });

  it('two concurrent requests with one key make one upstream call and get two identical answers', async () => {
    const { client, server } = await relayGateway();
    const one = client.chat.completions.create(body, keyed('twin-key'));
    const two = client.chat.completions.create(body, keyed('twin-key'));
    await relay.waitForHeld(1);
    await expect.poll(() => server.gateway.stats().results?.attached).toBe(1);
    relay.releaseAll();
    const [a, b] = await Promise.all([one, two]);
    expect(a.id).toMatch(/^chatcmpl-/);
    expect(b).toEqual(a);
    expect(relay.calls).toBe(1);
  });

  it('the same key with another body is a 422 naming the header', async () => {
    const { client } = await relayGateway();
    relay.mode = 'answer';
    await client.chat.completions.create(body, keyed('reused-key'));
    const other = { model: 'held-image', messages: [{ role: 'user' as const, content: 'draw a windmill' }] };
    const error = await client.chat.completions.create(other, keyed('reused-key')).catch((caught) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(422);
    expect(error.error).toMatchObject({ param: 'Idempotency-Key', code: 'idempotency_key_reused' });
    expect(error.message).toContain('Idempotency-Key');
    expect(relay.calls).toBe(1);
  });

  it("keeps another caller's keys apart: the same key under another gateway key runs its own generation", async () => {
    const { client, baseURL } = await relayGateway();
    relay.mode = 'answer';
    const mine = await client.chat.completions.create(body, keyed('shared-name'));
    const theirs = await new OpenAI({ apiKey: otherKey, baseURL, maxRetries: 0 }).chat.completions.create(body, keyed('shared-name'));
    expect(theirs.id).not.toBe(mine.id);
    const { data: again, response } = await client.chat.completions.create(body, keyed('shared-name')).withResponse();
    expect(response.headers.get('x-gateway-result')).toBe('replayed');
    expect(again.id).toBe(mine.id);
    expect(relay.calls).toBe(2);
  });

  it('a keyed stream that dropped after its first chunk attaches on retry: role chunk, the image, [DONE], one generation', async () => {
    const { client } = await relayGateway();
    const abort = new AbortController();
    const dropped = await client.chat.completions.create({ ...body, stream: true }, keyed('stream-key', abort.signal));
    let firstId = '';
    for await (const chunk of dropped) {
      firstId = chunk.id;
      break;
    }
    await relay.waitForHeld(1);
    const retry = await client.chat.completions.create({ ...body, stream: true }, keyed('stream-key'));
    relay.releaseAll();
    const chunks = [];
    for await (const chunk of retry) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.every((chunk) => chunk.id === firstId)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toContain('![generated](data:image/');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(relay.calls).toBe(1);
  });

  it('refuses a malformed key with a 400 that names the header and what it may hold', async () => {
    const { baseURL } = await relayGateway();
    for (const key of ['has space', 'x'.repeat(256), '""']) {
      const response = await fetch(`${baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      const answer = await response.json();
      expect(answer.error).toMatchObject({ param: 'Idempotency-Key', code: 'invalid_idempotency_key', type: 'invalid_request_error' });
      expect(answer.error.message).toContain('visible ASCII');
    }
    expect(relay.calls).toBe(0);
  });
});
