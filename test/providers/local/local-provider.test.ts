import { describe, expect, it } from 'vitest';
import { createLocalProvider } from '../../../src/providers/local/local-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';
import { imagesOf, textOf } from '../generation-request-fixture.js';
import { buildRequest, decode, generate } from './local-test-helpers.js';

describe('local provider: instance', () => {
  it('serves local-image with the documented capabilities and defaults', () => {
    const provider = createLocalProvider({ type: 'local' }, defaultProviderContext());
    expect(provider.id).toBe('local');
    expect(provider.type).toBe('local');
    expect(provider.timeoutMs).toBe(300_000);
    expect(provider.concurrency).toBeGreaterThanOrEqual(1);
    expect(provider.models.map((model) => model.id)).toEqual(['local-image']);
    expect(provider.models[0]?.capabilities).toMatchObject({
      imageOutput: true,
      imageInput: true,
      maxInputImages: 10,
      text: true,
      tools: false,
      jsonMode: false,
      reasoning: 'none',
      maxImagesPerRequest: 4,
    });
  });

  it('takes its name, concurrency and timeout from the config', () => {
    const provider = createLocalProvider({ type: 'local', name: 'sketchpad', concurrency: 3, timeoutMs: 5000 }, defaultProviderContext());
    expect([provider.id, provider.concurrency, provider.timeoutMs]).toEqual(['sketchpad', 3, 5000]);
  });

  it.each([
    [
      { delayMs: -1 },
      /^invalid local provider config "local": delayMs: must be a whole number of milliseconds between 0 and 3600000 \(got -1\)/,
    ],
    [{ outputFormat: 'gif' }, /^invalid local provider config "local": outputFormat: must be "jpeg", "png" or "webp" \(got "gif"\)/],
    [{ quality: 0 }, /^invalid local provider config "local": quality: must be a whole number between 1 and 100 \(got 0\)/],
    [{ name: 'sketchpad', quality: 'high' }, /^invalid local provider config "sketchpad": quality: must be/],
    [{ delayMS: 5 }, /^invalid local provider config "local": \(config\): Unrecognized key: "delayMS"/],
  ])('rejects %j with an error naming the option', (options, message) => {
    expect(() => createLocalProvider({ type: 'local', ...options }, defaultProviderContext())).toThrow(message);
  });
});

describe('local provider: text-to-image', () => {
  it('draws a 1024×1024 JPEG by default, with progress, usage and finish in order', async () => {
    const events = await generate(buildRequest());
    expect(events.map((event) => event.type)).toEqual(['reasoning-delta', 'image', 'usage', 'finish']);
    expect(textOf(events, 'reasoning-delta')).toContain('1024×1024');
    const [image] = imagesOf(events);
    expect(image?.mediaType).toBe('image/jpeg');
    expect(await decode(image!)).toMatchObject({ format: 'jpeg', width: 1024, height: 1024, channels: 3 });
    const usage = events.find((event) => event.type === 'usage');
    // 4 tiles of 512 px: 85 + 170 × 4.
    expect(usage).toMatchObject({ type: 'usage', usage: { imageTokens: 765 } });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it.each([
    [{ size: { width: 640, height: 480 } }, 640, 480],
    [{ aspectRatio: '16:9' }, 1024, 576],
    [{ aspectRatio: '9:16', imageSize: '2K' }, 1152, 2048],
    [{ imageSize: '2K' }, 2048, 2048],
    [{ size: { width: 10, height: 5000 } }, 16, 4096],
    [{ size: { width: 1001, height: 333 } }, 1000, 336],
  ])('honours %j', async (overrides, width, height) => {
    const [image] = imagesOf(await generate(buildRequest(overrides)));
    expect(await decode(image!)).toMatchObject({ width, height });
  });

  it('draws identical bytes for the same prompt and seed, and another picture for another prompt or seed', async () => {
    const draw = async (prompt: string, seed: number) =>
      imagesOf(await generate(buildRequest({ prompt, seed, size: { width: 256, height: 256 } })))[0]!.base64();
    const first = await draw('a red fox in the snow', 7);
    expect(await draw('a red fox in the snow', 7)).toBe(first);
    expect(await draw('a red fox in the snow', 8)).not.toBe(first);
    expect(await draw('a blue whale at night', 7)).not.toBe(first);
  });

  it('returns n distinct images', async () => {
    const images = imagesOf(await generate(buildRequest({ n: 3, size: { width: 256, height: 256 } })));
    expect(images).toHaveLength(3);
    expect(new Set(images.map((image) => image.base64())).size).toBe(3);
  });

  it('writes the configured format, or the one the request asks for', async () => {
    const [png] = imagesOf(await generate(buildRequest({ size: { width: 128, height: 128 } }), { outputFormat: 'png' }));
    expect(png?.mediaType).toBe('image/png');
    expect((await decode(png!)).format).toBe('png');
    const [webp] = imagesOf(await generate(buildRequest({ size: { width: 128, height: 128 }, outputFormat: 'webp' })));
    expect((await decode(webp!)).format).toBe('webp');
  });

  it('follows the gateway on whether an image is wanted: the words alone decide nothing here', async () => {
    // The gateway reads "Draw …" as a wish for an image (test/generation/image-intent.test.ts) and says so in wantsImage;
    // a request that says no (modalities: ["text"]) gets text, whatever its words.
    const drawn = await generate(buildRequest({ prompt: 'Draw a cute orange cat', wantsImage: true, size: { width: 64, height: 64 } }));
    expect(imagesOf(drawn)).toHaveLength(1);
    const declined = await generate(buildRequest({ prompt: 'Draw a cute orange cat', wantsImage: false, size: { width: 64, height: 64 } }));
    expect(imagesOf(declined)).toHaveLength(0);
    expect(textOf(declined)).toMatch(/draw/i);
  });
});

describe('local provider: conversation', () => {
  it('answers plain text with a short note and no image', async () => {
    const events = await generate(buildRequest({ prompt: 'What is the capital of France?', wantsImage: false }));
    expect(imagesOf(events)).toHaveLength(0);
    expect(events.map((event) => event.type)).toEqual(['text-delta', 'usage', 'finish']);
    expect(textOf(events)).toMatch(/draw/i);
    const usage = events.find((event) => event.type === 'usage');
    // "What is the capital of France?" is 30 characters: ceil(30 / 4) = 8.
    expect(usage).toMatchObject({ usage: { promptTokens: 8, imageTokens: 0 } });
  });
});

describe('local provider: delayMs', () => {
  it('emits progress while it waits and still finishes', async () => {
    const sleeps: number[] = [];
    const provider = createLocalProvider(
      { type: 'local', delayMs: 4000 },
      defaultProviderContext({ sleep: async (ms) => void sleeps.push(ms) }),
    );
    const events = [];
    for await (const event of provider.generate(buildRequest({ size: { width: 64, height: 64 } }), new AbortController().signal))
      events.push(event);
    expect(sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(4000);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(100);
    const progress = events.filter((event) => event.type === 'reasoning-delta');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.length).toBeLessThanOrEqual(5);
    expect(imagesOf(events)).toHaveLength(1);
  });

  it('stops promptly with the abort reason when aborted mid-wait', async () => {
    const controller = new AbortController();
    const reason = new Error('client went away');
    const provider = createLocalProvider({ type: 'local', delayMs: 60_000 }, defaultProviderContext());
    const started = Date.now();
    const run = (async () => {
      for await (const event of provider.generate(buildRequest(), controller.signal)) {
        // The plan line comes before the wait: abort shortly after, while the engine sleeps.
        if (event.type === 'reasoning-delta') setTimeout(() => controller.abort(reason), 50);
      }
    })();
    await expect(run).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const reason = new Error('already gone');
    await expect(generate(buildRequest(), {}, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
