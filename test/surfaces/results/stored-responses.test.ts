import OpenAI from 'openai';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HeldRelayFake, startHeldRelayFake } from '../../fakes/held-relay-fake.js';
import { decodeBase64Image, gatewayKey, serveGateway } from '../served-gateway.js';

const otherKey = 'sk-surfaces-test-key-0002';
let relay: HeldRelayFake;

beforeEach(async () => {
  relay = await startHeldRelayFake();
});
afterEach(async () => {
  await relay.close();
});

const localGateway = () => serveGateway({ apiKeys: [gatewayKey, otherKey] });
const relayGateway = () =>
  serveGateway({
    apiKeys: [gatewayKey, otherKey],
    providers: [{ type: 'openai-chat', name: 'relay', baseURL: relay.url, models: ['held-image'] }],
  });

function imageOf(response: OpenAI.Responses.Response): string {
  const call = response.output.find((item) => item.type === 'image_generation_call');
  return call?.result as string;
}

describe('stored and background responses on /v1/responses, driven by the openai SDK over a socket', () => {
  it('background: true answers queued at once; responses.retrieve polls it to completed with its image', async () => {
    const { client } = await localGateway();
    const queued = await client.responses.create({
      model: 'local-image',
      input: 'Draw a red lighthouse on a cliff',
      tools: [{ type: 'image_generation', size: '320x240' as '1024x1024' }],
      background: true,
    });
    expect(queued).toMatchObject({ object: 'response', status: 'queued', background: true, store: true, output: [] });
    const seen = new Set<string>();
    let polled = await client.responses.retrieve(queued.id);
    while (polled.status === 'queued' || polled.status === 'in_progress') {
      seen.add(polled.status);
      await new Promise((resolve) => setTimeout(resolve, 20));
      polled = await client.responses.retrieve(queued.id);
    }
    expect(polled).toMatchObject({ id: queued.id, status: 'completed', background: true, error: null });
    expect(await decodeBase64Image(imageOf(polled))).toMatchObject({ width: 320, height: 240 });
  });

  it('responses.cancel stops a background response mid-generation: cancelled, the upstream call aborted', async () => {
    const { client } = await relayGateway();
    relay.mode = 'hold';
    const queued = await client.responses.create({ model: 'held-image', input: 'Draw a lighthouse', background: true });
    await relay.waitForHeld(1);
    expect((await client.responses.retrieve(queued.id)).status).toBe('in_progress');
    const cancelled = await client.responses.cancel(queued.id);
    expect(cancelled).toMatchObject({ id: queued.id, status: 'cancelled', error: null });
    await expect.poll(() => relay.held).toBe(0);
    expect((await client.responses.retrieve(queued.id)).status).toBe('cancelled');
  });

  it('previous_response_id makes the previous output image the input of the next turn: the edit applies to it', async () => {
    const { client } = await localGateway();
    const first = await client.responses.create({
      model: 'local-image',
      input: 'Draw a red and green sunset over a blue sea',
      tools: [{ type: 'image_generation', size: '256x192' as '1024x1024', output_format: 'png' }],
    });
    const original = await sharp(Buffer.from(imageOf(first), 'base64'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(colourfulPixels(original.data, original.info.channels)).toBeGreaterThan(0);

    const second = await client.responses.create({
      model: 'local-image',
      previous_response_id: first.id,
      input: 'make it grayscale',
      tools: [{ type: 'image_generation', output_format: 'png' }],
    });
    expect(second).toMatchObject({ status: 'completed', previous_response_id: first.id });
    const edited = await sharp(Buffer.from(imageOf(second), 'base64'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect({ width: edited.info.width, height: edited.info.height }).toEqual({ width: 256, height: 192 });
    expect(colourfulPixels(edited.data, edited.info.channels)).toBe(0);

    const error = await client.responses
      .create({ model: 'local-image', previous_response_id: 'resp_unknown', input: 'again' })
      .catch((caught) => caught);
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ param: 'previous_response_id', code: 'previous_response_not_found' });
  });

  it('resumes a background stream from a sequence number, live while it runs', async () => {
    const { client } = await relayGateway();
    relay.mode = 'hold';
    const stream = await client.responses.create({ model: 'held-image', input: 'Draw a lighthouse', background: true, stream: true });
    let id = '';
    let last = -1;
    for await (const event of stream) {
      last = event.sequence_number;
      if (event.type === 'response.created') id = event.response.id;
      if (event.type === 'response.in_progress') break;
    }
    await relay.waitForHeld(1);
    const resumed = await client.responses.retrieve(id, { stream: true, starting_after: last });
    relay.releaseAll();
    const events = [];
    for await (const event of resumed) events.push(event);
    expect(events[0]?.sequence_number).toBe(last + 1);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => last + 1 + index));
    expect(events.at(-1)?.type).toBe('response.completed');

    // After the end, from the store.
    const again = await client.responses.retrieve(id, { stream: true, starting_after: last + 1 });
    const replayed = [];
    for await (const event of again) replayed.push(event);
    expect(replayed.map((event) => event.sequence_number)).toEqual(events.slice(1).map((event) => event.sequence_number));
    expect(relay.calls).toBe(1);
  });

  it('keeps responses per caller, keeps nothing with store: false, and deletes by id', async () => {
    const { client, baseURL } = await localGateway();
    const kept = await client.responses.create({ model: 'local-image', input: 'What is the capital of France?' });
    expect(kept).toMatchObject({ store: true });
    expect((await client.responses.retrieve(kept.id)).output_text).toBe(kept.output_text);
    const stranger = new OpenAI({ apiKey: otherKey, baseURL, maxRetries: 0 });
    await expect(stranger.responses.retrieve(kept.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    const unkept = await client.responses.create({ model: 'local-image', input: 'Hello', store: false });
    expect(unkept).toMatchObject({ store: false });
    await expect(client.responses.retrieve(unkept.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    await client.responses.delete(kept.id);
    await expect(client.responses.retrieve(kept.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const refused = await client.responses
      .create({ model: 'local-image', input: 'Hello', store: false, background: true })
      .catch((caught) => caught);
    expect(refused.status).toBe(400);
    expect(refused.error).toMatchObject({ param: 'store' });
  });
});

/** Pixels whose channels differ by more than a rounding step: none in a grayscale image. */
function colourfulPixels(data: Buffer, channels: number): number {
  let count = 0;
  for (let index = 0; index < data.length; index += channels) {
    const [r, g, b] = [data[index] ?? 0, data[index + 1] ?? 0, data[index + 2] ?? 0];
    if (Math.abs(r - g) > 2 || Math.abs(g - b) > 2) count += 1;
  }
  return count;
}
