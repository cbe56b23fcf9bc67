import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import type { ImageData } from '../../../src/images/image-data.js';
import { toAbortSignal } from '../../../src/lib/cancel-signal.js';
import type { GenerationEvent, GenerationRequest } from '../../../src/provider.js';
import { createFluxProvider } from '../../../src/providers/flux/flux-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';
import { type FluxFake, startFluxFake } from '../../fakes/flux-fake.js';
import { collect, generationRequest, imagesOf, jpegImage } from '../generation-request-fixture.js';

let fake: FluxFake;
const apiKey = 'bfl-test-key';
let sleeps: number[] = [];

beforeAll(async () => {
  fake = await startFluxFake({ apiKey, pendingPolls: 2 });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  sleeps = [];
});

/** Records every requested wait but only waits 1 ms, so polling tests run fast and the backoff stays observable. */
const context = defaultProviderContext({
  sleep: (ms, signal) => {
    sleeps.push(ms);
    return sleep(1, undefined, { signal: toAbortSignal(signal) });
  },
});
const provider = (extra: Record<string, unknown> = {}) =>
  createFluxProvider({ type: 'flux', apiKey, baseURL: fake.url, ...extra }, context);
const request = (overrides: Partial<GenerationRequest> = {}) =>
  generationRequest({ model: 'flux-kontext-pro', prompt: 'generate a cat', ...overrides });
const reasoning = (events: GenerationEvent[]) => events.flatMap((event) => (event.type === 'reasoning-delta' ? [event.text] : []));
const decode = async (image: ImageData) => sharp(image.bytes()).metadata();

describe('flux provider: text-to-image', () => {
  it('submits with x-key, polls the returned polling_url and downloads the sample without the key', async () => {
    const events = await collect(provider().generate(request({ aspectRatio: '16:9', seed: 7 }), new AbortController().signal));

    const [submit, ...rest] = fake.requests;
    expect(submit).toMatchObject({ method: 'POST', url: '/v1/flux-kontext-pro' });
    expect(submit!.headers['x-key']).toBe(apiKey);
    expect(submit!.body).toEqual({ prompt: 'generate a cat', aspect_ratio: '16:9', seed: 7, output_format: 'jpeg' });
    const polls = rest.filter((recorded) => recorded.url.startsWith('/regional/v1/get_result?id='));
    expect(polls).toHaveLength(3);
    for (const poll of polls) expect(poll.headers['x-key']).toBe(apiKey);
    const download = rest.find((recorded) => recorded.url.startsWith('/delivery/'));
    expect(download?.headers['x-key']).toBeUndefined();

    const [image] = imagesOf(events);
    expect(image?.mediaType).toBe('image/jpeg');
    expect(await decode(image!)).toMatchObject({ width: 1376, height: 768, format: 'jpeg' });
    expect(reasoning(events)).toEqual(['FLUX: Pending\n', 'FLUX: Pending (progress 67%)\n']);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('snaps a pixel size to an aspect ratio within 21:9..9:21 for Kontext', async () => {
    await collect(provider().generate(request({ size: { width: 3000, height: 1000 } }), new AbortController().signal));
    expect(fake.requests[0]!.body.aspect_ratio).toBe('21:9');
  });

  it('sends width/height in multiples of 32 to FLUX 1.1 and gets that size back', async () => {
    const events = await collect(
      provider().generate(request({ model: 'flux-pro-1.1', size: { width: 1000, height: 700 } }), new AbortController().signal),
    );
    expect(fake.requests[0]!.body).toMatchObject({ width: 992, height: 704 });
    expect(fake.requests[0]!.body).not.toHaveProperty('aspect_ratio');
    expect(await decode(imagesOf(events)[0]!)).toMatchObject({ width: 992, height: 704 });
  });

  it('sends width/height in multiples of 16 to FLUX.2 for an aspect ratio, and honours a png output format', async () => {
    const events = await collect(
      provider().generate(request({ model: 'flux-2-pro', aspectRatio: '16:9', outputFormat: 'png' }), new AbortController().signal),
    );
    expect(fake.requests[0]!.body).toMatchObject({ width: 1360, height: 768, output_format: 'png' });
    const [image] = imagesOf(events);
    expect(image?.mediaType).toBe('image/png');
    expect(await decode(image!)).toMatchObject({ width: 1360, height: 768, format: 'png' });
  });

  it('makes n submits for n images and labels their progress', async () => {
    const events = await collect(provider().generate(request({ n: 2 }), new AbortController().signal));
    expect(fake.requests.filter((recorded) => recorded.method === 'POST')).toHaveLength(2);
    expect(imagesOf(events)).toHaveLength(2);
    expect(reasoning(events)).toContain('FLUX #2: Pending\n');
  });
});

describe('flux provider: image-to-image', () => {
  it('sends input images as input_image, input_image_2 and keeps the input size', async () => {
    const first = await jpegImage(640, 480);
    const second = await jpegImage(32, 32);
    const events = await collect(provider().generate(request({ inputImages: [first, second] }), new AbortController().signal));
    expect(fake.requests[0]!.body).toMatchObject({ input_image: first.base64(), input_image_2: second.base64() });
    expect(await decode(imagesOf(events)[0]!)).toMatchObject({ width: 640, height: 480 });
  });

  it('refuses input images for a model that takes none, before submitting anything', async () => {
    const input = await jpegImage(64, 64);
    const attempt = collect(provider().generate(request({ model: 'flux-pro-1.1', inputImages: [input] }), new AbortController().signal));
    await expect(attempt).rejects.toSatisfy((error) => GatewayError.isInstance(error) && error.status === 400);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('flux provider: polling', () => {
  it('backs off from pollIntervalMs by 1.5x up to maxPollIntervalMs', async () => {
    const slowFake = await startFluxFake({ pendingPolls: 7 });
    try {
      const flux = createFluxProvider({ type: 'flux', apiKey, baseURL: slowFake.url }, context);
      await collect(flux.generate(request(), new AbortController().signal));
      expect(sleeps).toEqual([500, 750, 1125, 1688, 2532, 3798, 4000, 4000]);
    } finally {
      await slowFake.close();
    }
  });

  it('reports Reasoning/Generating progress only when it changes', async () => {
    const events = await collect(provider().generate(request({ prompt: 'x [scenario:reasoning]' }), new AbortController().signal));
    expect(reasoning(events)).toEqual(['FLUX: Pending\n', 'FLUX: Reasoning\n', 'FLUX: Generating (progress 50%)\n']);
    expect(imagesOf(events)).toHaveLength(1);
  });

  it('waits out a transient poll failure', async () => {
    const events = await collect(provider().generate(request({ prompt: 'x [scenario:poll-hiccup]' }), new AbortController().signal));
    expect(imagesOf(events)).toHaveLength(1);
  });

  it('detects the media type from the bytes when the delivery host sends octet-stream', async () => {
    const events = await collect(provider().generate(request({ prompt: 'x [scenario:octet-stream]' }), new AbortController().signal));
    expect(imagesOf(events)[0]?.mediaType).toBe('image/jpeg');
  });

  it('gives up with a timeout error when the task outlives timeoutMs', async () => {
    let clock = 0;
    const ticking = defaultProviderContext({
      now: () => clock,
      sleep: (ms, signal) => {
        clock += ms;
        return sleep(0, undefined, { signal: toAbortSignal(signal) });
      },
    });
    const flux = createFluxProvider({ type: 'flux', apiKey, baseURL: fake.url, timeoutMs: 10_000 }, ticking);
    const attempt = collect(flux.generate(request({ prompt: 'x [scenario:slow]' }), new AbortController().signal));
    await expect(attempt).rejects.toMatchObject({ name: 'UpstreamError', kind: 'timeout', retryable: true });
  });
});
