import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GenerationRequest } from '../../../src/provider.js';
import { createGeminiProvider } from '../../../src/providers/gemini/gemini-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';
import { type GeminiFake, startGeminiFake } from '../../fakes/gemini-fake.js';
import { collect, describeImage, generationRequest, imagesOf, jpegImage, textOf } from '../generation-request-fixture.js';

let fake: GeminiFake;
const apiKey = 'test-gemini-key';

beforeAll(async () => {
  fake = await startGeminiFake({ apiKey });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.setScenario('happy');
});

const provider = () => createGeminiProvider({ type: 'gemini', apiKey, baseURL: fake.url }, defaultProviderContext());
const geminiRequest = (overrides: Partial<GenerationRequest> = {}) =>
  generationRequest({ model: 'gemini-2.5-flash-image', prompt: 'generate a cat', ...overrides });

describe('gemini provider: text-to-image', () => {
  it('calls generateContent with the key header and returns a PNG of the asked aspect ratio', async () => {
    const events = await collect(provider().generate(geminiRequest({ aspectRatio: '16:9' }), new AbortController().signal));

    const sent = fake.requests[0]!;
    expect(sent.url).toBe('/v1beta/models/gemini-2.5-flash-image:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe(apiKey);
    expect(sent.body.contents).toEqual([{ role: 'user', parts: [{ text: 'generate a cat' }] }]);
    expect(sent.body.generationConfig).toEqual({ responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '16:9' } });
    const [image] = imagesOf(events);
    expect(image?.mediaType).toBe('image/png');
    expect(await describeImage(image!)).toMatchObject({ width: 1344, height: 768, format: 'png' });
    expect(textOf(events, 'text-delta')).toBe('Here is your image: ');
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('reports usage with image tokens', async () => {
    const events = await collect(provider().generate(geminiRequest(), new AbortController().signal));
    const usage = events.find((event) => event.type === 'usage');
    expect(usage).toMatchObject({ type: 'usage', usage: { imageTokens: 1290, completionTokens: 1300 } });
  });

  it('snaps an explicit pixel size to the nearest supported ratio and never sends imageSize to 2.5 flash', async () => {
    const request = geminiRequest({ size: { width: 1920, height: 1080 }, imageSize: '4K' });
    const events = await collect(provider().generate(request, new AbortController().signal));
    expect(fake.requests[0]!.body.generationConfig.imageConfig).toEqual({ aspectRatio: '16:9' });
    expect(await describeImage(imagesOf(events)[0]!)).toMatchObject({ width: 1344, height: 768 });
  });

  it('sends imageSize to 3.x models and gets a JPEG of that tier', async () => {
    const request = geminiRequest({ model: 'gemini-3-pro-image-preview', aspectRatio: '1:1', imageSize: '2k' });
    const events = await collect(provider().generate(request, new AbortController().signal));
    const sent = fake.requests[0]!.body.generationConfig;
    expect(sent.imageConfig).toEqual({ aspectRatio: '1:1', imageSize: '2K' });
    expect(sent.thinkingConfig).toEqual({ includeThoughts: true });
    expect(await describeImage(imagesOf(events)[0]!)).toMatchObject({ width: 2048, height: 2048, format: 'jpeg' });
  });

  it.each([false, true])('carries a big image as the bytes it arrived in, never as one string (stream: %s)', async (stream) => {
    const request = geminiRequest({ model: 'gemini-3-pro-image-preview', aspectRatio: '1:1', imageSize: '4k', stream });
    const [image] = imagesOf(await collect(provider().generate(request, new AbortController().signal)));
    // A 4K JPEG is past the 64 KiB from which image data is lifted out of the JSON as received bytes.
    expect(image!.byteLength).toBeGreaterThan(64 * 1024);
    expect(image!.base64Parts().every((part) => part instanceof Uint8Array)).toBe(true);
    expect(await describeImage(image!)).toMatchObject({ width: 4096, height: 4096, format: 'jpeg' });
  });

  it('maps temperature, seed and max tokens, and leaves candidateCount out', async () => {
    const request = geminiRequest({ temperature: 0.4, seed: 42, maxTokens: 4096 });
    await collect(provider().generate(request, new AbortController().signal));
    const config = fake.requests[0]!.body.generationConfig;
    expect(config).toMatchObject({ temperature: 0.4, seed: 42, maxOutputTokens: 4096 });
    expect(config).not.toHaveProperty('candidateCount');
  });

  it('asks for text only when no image is wanted (plain conversation)', async () => {
    await collect(provider().generate(geminiRequest({ wantsImage: false }), new AbortController().signal)).catch(() => {});
    expect(fake.requests[0]!.body.generationConfig.responseModalities).toEqual(['TEXT']);
  });

  it('makes n upstream calls for n images, keeping the text of the first only', async () => {
    const events = await collect(provider().generate(geminiRequest({ n: 3 }), new AbortController().signal));
    expect(fake.requests).toHaveLength(3);
    expect(imagesOf(events)).toHaveLength(3);
    expect(textOf(events, 'text-delta')).toBe('Here is your image: ');
    expect(events.filter((event) => event.type === 'usage')).toEqual([
      expect.objectContaining({ usage: expect.objectContaining({ imageTokens: 3 * 1290 }) }),
    ]);
  });
});

describe('gemini provider: image-to-image and history', () => {
  it('sends input images as inlineData and gets an image shaped like the input', async () => {
    const input = await jpegImage(600, 800);
    const request = geminiRequest({ prompt: 'Change the theme color to red', inputImages: [input] });
    request.messages = [{ role: 'user', text: 'Change the theme color to red', images: [input] }];
    const events = await collect(provider().generate(request, new AbortController().signal));

    const parts = fake.requests[0]!.body.contents[0].parts;
    expect(parts[0]).toEqual({ inlineData: { mimeType: 'image/jpeg', data: input.base64() } });
    expect(parts[1]).toEqual({ text: 'Change the theme color to red' });
    expect(await describeImage(imagesOf(events)[0]!)).toMatchObject({ width: 864, height: 1184 });
  });

  it('turns earlier turns into user/model contents with their images, and system into systemInstruction', async () => {
    const earlier = await jpegImage(64, 64);
    const request = geminiRequest({
      prompt: 'now make it blue',
      system: 'You draw cats.',
      inputImages: [earlier],
      messages: [
        { role: 'system', text: 'You draw cats.', images: [] },
        { role: 'user', text: 'draw a cat', images: [] },
        { role: 'assistant', text: 'Here it is.', images: [earlier] },
        { role: 'user', text: 'now make it blue', images: [] },
      ],
    });
    await collect(provider().generate(request, new AbortController().signal));
    const body = fake.requests[0]!.body;
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'You draw cats.' }] });
    expect(body.contents.map((content: { role: string }) => content.role)).toEqual(['user', 'model', 'user']);
    expect(body.contents[1].parts).toEqual([{ inlineData: { mimeType: 'image/jpeg', data: earlier.base64() } }, { text: 'Here it is.' }]);
    // The image already travels in the model turn: it is not sent twice.
    expect(body.contents[2].parts).toEqual([{ text: 'now make it blue' }]);
  });
});

describe('gemini provider: streaming', () => {
  it('uses streamGenerateContent?alt=sse, reads CRLF-framed events and the last usage', async () => {
    const request = geminiRequest({ model: 'gemini-3-pro-image-preview', stream: true, aspectRatio: '9:16' });
    const events = await collect(provider().generate(request, new AbortController().signal));

    expect(fake.requests[0]!.url).toBe('/v1beta/models/gemini-3-pro-image-preview:streamGenerateContent?alt=sse');
    expect(await describeImage(imagesOf(events)[0]!)).toMatchObject({ width: 768, height: 1344, format: 'jpeg' });
    expect(events.filter((event) => event.type === 'usage')).toHaveLength(1);
    expect(events.find((event) => event.type === 'usage')).toMatchObject({ usage: { imageTokens: 1120, reasoningTokens: 180 } });
    expect(events.map((event) => event.type)).toEqual(['text-delta', 'image', 'usage', 'finish']);
  });

  it('also reads LF-framed streams', async () => {
    const lfFake = await startGeminiFake({ crlf: false });
    try {
      const lfProvider = createGeminiProvider({ type: 'gemini', apiKey, baseURL: lfFake.url }, defaultProviderContext());
      const events = await collect(lfProvider.generate(geminiRequest({ stream: true }), new AbortController().signal));
      expect(imagesOf(events)).toHaveLength(1);
    } finally {
      await lfFake.close();
    }
  });
});
