import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/errors/upstream-error.js';
import { ImageData } from '../../../src/images/image-data.js';
import type { ImageProvider } from '../../../src/provider.js';
import { createOpenAIImagesProvider } from '../../../src/providers/openai/openai-images-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';
import { makeFakeImage, type OpenAIImagesFake, startOpenAIImagesFake } from '../../fakes/openai-images-fake.js';
import { collect, generationRequest, imagesOf } from '../generation-request-fixture.js';

const apiKey = 'sk-test-secret-key-abcd';
let fake: OpenAIImagesFake;
let provider: ImageProvider;

beforeAll(async () => {
  fake = await startOpenAIImagesFake();
  provider = createOpenAIImagesProvider({ type: 'openai', apiKey, baseURL: fake.url }, defaultProviderContext());
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.setScenario('happy');
});

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(UpstreamError.isInstance(error)).toBe(true);
  return error as UpstreamError;
}

describe('openai images provider: text-to-image', () => {
  it('posts JSON to /v1/images/generations with Bearer auth and returns a decodable image of the snapped size', async () => {
    const request = generationRequest({ model: 'gpt-image-1', size: { width: 1920, height: 1080 }, quality: 'high', outputFormat: 'jpeg' });
    const events = await collect(provider.generate(request, new AbortController().signal));

    const [sent] = fake.requests;
    expect(sent?.path).toBe('/v1/images/generations');
    expect(sent?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.json).toEqual({ model: 'gpt-image-1', prompt: 'Draw a cat', size: '1536x1024', quality: 'high', output_format: 'jpeg' });

    const [image] = imagesOf(events);
    expect(image?.mediaType).toBe('image/jpeg');
    const metadata = await sharp(image!.bytes()).metadata();
    expect([metadata.width, metadata.height, metadata.format]).toEqual([1536, 1024, 'jpeg']);
    expect(events.at(-2)).toEqual({
      type: 'usage',
      usage: {
        promptTokens: 50,
        completionTokens: 4160,
        totalTokens: 4210,
        imageTokens: 4160,
        promptTextTokens: 10,
        promptImageTokens: 40,
      },
    });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('maps an aspect ratio to the closest allowed size and asks for n images in one call', async () => {
    const request = generationRequest({ model: 'gpt-image-1-mini', aspectRatio: '9:16', n: 3 });
    const events = await collect(provider.generate(request, new AbortController().signal));
    expect(fake.requests[0]?.json).toMatchObject({ size: '1024x1536', n: 3 });
    expect(fake.requests).toHaveLength(1);
    expect(imagesOf(events)).toHaveLength(3);
  });

  it('accepts a baseURL that already ends in /v1', async () => {
    const withVersion = createOpenAIImagesProvider({ type: 'openai', apiKey, baseURL: `${fake.url}/v1/` }, defaultProviderContext());
    await collect(withVersion.generate(generationRequest({ model: 'gpt-image-1' }), new AbortController().signal));
    expect(fake.requests[0]?.path).toBe('/v1/images/generations');
  });

  it('downloads dall-e-3 url results, reports the revised prompt as reasoning, and makes n calls of one image', async () => {
    const dalle = createOpenAIImagesProvider(
      { type: 'openai', apiKey, baseURL: fake.url, dalleResponseFormat: 'url' },
      defaultProviderContext(),
    );
    const request = generationRequest({ model: 'dall-e-3', n: 2, size: { width: 1792, height: 1024 }, quality: 'high' });
    const events = await collect(dalle.generate(request, new AbortController().signal));

    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]?.json).toEqual({
      model: 'dall-e-3',
      prompt: 'Draw a cat',
      size: '1792x1024',
      quality: 'hd',
      response_format: 'url',
    });
    const decoded = await Promise.all(imagesOf(events).map((image) => sharp(image.bytes()).metadata()));
    expect(decoded.map((metadata) => `${metadata.width}x${metadata.height}`)).toEqual(['1792x1024', '1792x1024']);
    expect(events.find((event) => event.type === 'reasoning-delta')).toEqual({
      type: 'reasoning-delta',
      text: 'Revised prompt: A detailed rendering of Draw a cat\n',
    });
    expect(events.some((event) => event.type === 'usage')).toBe(false);
  });

  it('asks dall-e for b64_json by default and never sends response_format to GPT image models', async () => {
    await collect(
      provider.generate(generationRequest({ model: 'dall-e-2', size: { width: 512, height: 512 } }), new AbortController().signal),
    );
    await collect(provider.generate(generationRequest({ model: 'gpt-image-1.5' }), new AbortController().signal));
    expect(fake.requests[0]?.json).toMatchObject({ model: 'dall-e-2', size: '512x512', response_format: 'b64_json' });
    expect(fake.requests[1]?.json).not.toHaveProperty('response_format');
  });
});

describe('openai images provider: image-to-image', () => {
  it('sends several input images as multipart image[] to /v1/images/edits', async () => {
    const inputs = await Promise.all(
      [1, 2, 3].map(async (seed) => ImageData.fromBytes(await makeFakeImage(64 + seed, 48, 'jpeg', seed), 'image/jpeg')),
    );
    const request = generationRequest({
      model: 'gpt-image-1',
      prompt: 'Combine these',
      inputImages: inputs,
      n: 2,
      size: { width: 1024, height: 1024 },
    });
    const events = await collect(provider.generate(request, new AbortController().signal));

    const [sent] = fake.requests;
    expect(sent?.path).toBe('/v1/images/edits');
    expect(sent?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(sent?.fields).toEqual({ model: 'gpt-image-1', prompt: 'Combine these', n: '2', size: '1024x1024' });
    expect(sent?.files?.map((file) => [file.field, file.type, file.width, file.height])).toEqual([
      ['image[]', 'image/jpeg', 65, 48],
      ['image[]', 'image/jpeg', 66, 48],
      ['image[]', 'image/jpeg', 67, 48],
    ]);
    expect(imagesOf(events)).toHaveLength(2);
  });

  it('sends a single input image as the field "image"', async () => {
    const input = ImageData.fromBytes(await makeFakeImage(32, 32, 'png'), 'image/png');
    await collect(provider.generate(generationRequest({ model: 'gpt-image-1', inputImages: [input] }), new AbortController().signal));
    expect(fake.requests[0]?.files?.map((file) => [file.field, file.filename])).toEqual([['image', 'image-1.png']]);
  });

  it('refuses input images for dall-e-3 without calling upstream', async () => {
    const input = ImageData.fromBytes(await makeFakeImage(32, 32, 'png'), 'image/png');
    const error = await failure(
      collect(provider.generate(generationRequest({ model: 'dall-e-3', inputImages: [input] }), new AbortController().signal)),
    );
    expect(error.kind).toBe('bad_request');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('openai images provider: streaming', () => {
  it('streams partial images then the final image with usage', async () => {
    const request = generationRequest({ model: 'gpt-image-1', stream: true, size: { width: 1024, height: 1536 } });
    const events = await collect(provider.generate(request, new AbortController().signal));

    expect(fake.requests[0]?.json).toMatchObject({ stream: true, partial_images: 2 });
    expect(events.map((event) => event.type)).toEqual(['image-partial', 'image-partial', 'image', 'usage', 'finish']);
    expect(events.filter((event) => event.type === 'image-partial').map((event) => event.index)).toEqual([0, 1]);
    const metadata = await sharp(imagesOf(events)[0]!.bytes()).metadata();
    expect([metadata.width, metadata.height]).toEqual([1024, 1536]);
    expect(events[3]).toEqual({
      type: 'usage',
      usage: { promptTokens: 50, completionTokens: 4160, totalTokens: 4210, imageTokens: 4160, promptTextTokens: 50, promptImageTokens: 0 },
    });
  });

  it('streams edits too (image_edit.* events)', async () => {
    const input = ImageData.fromBytes(await makeFakeImage(40, 40, 'png'), 'image/png');
    const events = await collect(
      provider.generate(generationRequest({ model: 'gpt-image-1', stream: true, inputImages: [input] }), new AbortController().signal),
    );
    expect(fake.requests[0]?.fields).toMatchObject({ stream: 'true', partial_images: '2' });
    expect(imagesOf(events)).toHaveLength(1);
  });

  it('stops at a data: [DONE] some relays append', async () => {
    const relay = await startOpenAIImagesFake({ streamDone: true });
    try {
      const relayProvider = createOpenAIImagesProvider(
        { type: 'openai', apiKey, baseURL: relay.url, partialImages: 0 },
        defaultProviderContext(),
      );
      const events = await collect(
        relayProvider.generate(generationRequest({ model: 'gpt-image-1', stream: true }), new AbortController().signal),
      );
      expect(relay.requests[0]?.json).toMatchObject({ partial_images: 0 });
      expect(events.map((event) => event.type)).toEqual(['image', 'usage', 'finish']);
    } finally {
      await relay.close();
    }
  });

  it('does not stream dall-e models even when the client streams', async () => {
    const events = await collect(provider.generate(generationRequest({ model: 'dall-e-2', stream: true }), new AbortController().signal));
    expect(fake.requests[0]?.json).not.toHaveProperty('stream');
    expect(imagesOf(events)).toHaveLength(1);
  });

  it('turns a mid-stream error event into a retryable server UpstreamError after the partial image', async () => {
    const seen: string[] = [];
    const run = async () => {
      for await (const event of provider.generate(
        generationRequest({ model: 'gpt-image-1', stream: true, prompt: 'cat [scenario:mid-stream-error]' }),
        new AbortController().signal,
      )) {
        seen.push(event.type);
      }
    };
    const error = await failure(run());
    expect(seen).toEqual(['image-partial']);
    expect(error.kind).toBe('server');
    expect(error.retryable).toBe(true);
  });
});
