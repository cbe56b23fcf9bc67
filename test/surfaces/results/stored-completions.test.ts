import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HeldRelayFake, startHeldRelayFake } from '../../fakes/held-relay-fake.js';
import { gatewayKey, serveGateway } from '../served-gateway.js';

const otherKey = 'sk-surfaces-test-key-0002';
let relay: HeldRelayFake;

beforeEach(async () => {
  relay = await startHeldRelayFake();
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

const body = { model: 'held-image', messages: [{ role: 'user' as const, content: 'draw a lighthouse' }], store: true };

describe('stored chat completions (store: true), driven by the openai SDK over a socket', () => {
  it('a stream client that drops after the first chunk gets the finished completion with its image by id; DELETE, then 404', async () => {
    const { client } = await relayGateway();
    relay.mode = 'hold';
    const abort = new AbortController();
    const stream = await client.chat.completions.create({ ...body, stream: true }, { signal: abort.signal });
    let id = '';
    for await (const chunk of stream) {
      id = chunk.id;
      break;
    }
    abort.abort();
    expect(id).toMatch(/^chatcmpl-/);
    await relay.waitForHeld(1);

    // Retrieved while still generating: the gateway waits for the detached run to finish.
    const retrieved = client.chat.completions.retrieve(id);
    relay.releaseAll();
    const completion = await retrieved;
    expect(completion).toMatchObject({ id, object: 'chat.completion', model: 'held-image' });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.choices[0]?.message.content).toContain('![generated](data:image/png;base64,');
    expect(relay.calls).toBe(1);

    const deleted = await client.chat.completions.delete(id);
    expect(deleted).toEqual({ id, object: 'chat.completion.deleted', deleted: true });
    const gone = await client.chat.completions.retrieve(id).catch((caught) => caught);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
    expect(gone.error).toMatchObject({ type: 'not_found_error', code: 'not_found' });
  });

  it('keeps a non-stream completion as it was answered, for its own caller only', async () => {
    const { client, baseURL } = await relayGateway();
    const answered = await client.chat.completions.create(body);
    expect(await client.chat.completions.retrieve(answered.id)).toEqual(answered);
    const stranger = new OpenAI({ apiKey: otherKey, baseURL, maxRetries: 0 });
    await expect(stranger.chat.completions.retrieve(answered.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(stranger.chat.completions.delete(answered.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect((await client.chat.completions.retrieve(answered.id)).id).toBe(answered.id);
  });

  it('keeps nothing without store: true, and nothing for a failed generation: a keyed retry runs again', async () => {
    const { client } = await relayGateway();
    const plain = await client.chat.completions.create({ ...body, store: false });
    await expect(client.chat.completions.retrieve(plain.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    relay.mode = 'fail';
    const stream = await client.chat.completions.create({ ...body, stream: true });
    let id = '';
    await expect(
      (async () => {
        for await (const chunk of stream) id ||= chunk.id;
      })(),
    ).rejects.toThrow();
    await expect(client.chat.completions.retrieve(id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    const failing = { headers: { 'Idempotency-Key': 'failing-key' } };
    await expect(client.chat.completions.create(body, failing)).rejects.toThrow();
    relay.mode = 'answer';
    const { response } = await client.chat.completions.create(body, failing).withResponse();
    expect(response.headers.get('x-gateway-result')).toBe('started');
  });

  it('refuses store that is not a boolean', async () => {
    const { client } = await relayGateway();
    const error = await client.chat.completions.create({ ...body, store: 'yes' as unknown as boolean }).catch((caught) => caught);
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ param: 'store' });
  });

  it('in URL delivery, a stored completion keeps its image files as long as itself, past images.urlTtlSeconds', async () => {
    let offsetMs = 0;
    const { client } = await serveGateway({ images: { delivery: 'url', urlTtlSeconds: 60 }, now: () => Date.now() + offsetMs });
    const ask = { model: 'local-image', messages: [{ role: 'user' as const, content: 'draw a red lighthouse' }] };
    const kept = await client.chat.completions.create({ ...ask, store: true });
    const plain = await client.chat.completions.create(ask);
    const link = (completion: { choices: Array<{ message: { content: string | null } }> }) =>
      /\((https?:[^)]+)\)/.exec(completion.choices[0]?.message.content ?? '')?.[1] as string;
    offsetMs = 120_000;
    expect((await fetch(link(plain))).status).toBe(404);
    const retrieved = await client.chat.completions.retrieve(kept.id);
    const file = await fetch(link(retrieved));
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
  });
});
