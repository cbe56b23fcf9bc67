import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ImageData } from '../../../src/images/image-data.js';
import type { ImageProvider } from '../../../src/provider.js';
import { createOpenAIChatProvider } from '../../../src/providers/openai-chat/openai-chat-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';
import { type OpenAIChatFake, type OpenAIChatImageMode, startOpenAIChatFake } from '../../fakes/openai-chat-fake.js';
import { makeFakeImage } from '../../fakes/openai-images-fake.js';
import { collect, generationRequest, imagesOf, textOf } from '../generation-request-fixture.js';

const apiKey = 'sk-relay-secret-1234';
let fake: OpenAIChatFake;
let provider: ImageProvider;

beforeAll(async () => {
  fake = await startOpenAIChatFake();
  provider = createOpenAIChatProvider(
    {
      type: 'openai-chat',
      apiKey,
      baseURL: `${fake.url}/v1`,
      models: ['gpt-4o-image', 'gpt-4o-mini', { id: 'nano-banana', aliases: ['banana'] }],
    },
    defaultProviderContext(),
  );
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.setScenario('image', 'images');
});

const run = (overrides: Parameters<typeof generationRequest>[0]) =>
  collect(provider.generate(generationRequest(overrides), new AbortController().signal));

async function expectFakeImage(image: ImageData | undefined): Promise<void> {
  const metadata = await sharp(image!.bytes()).metadata();
  expect([metadata.width, metadata.height, metadata.format]).toEqual([96, 64, 'png']);
}

describe('openai-chat provider: the request sent upstream', () => {
  it('posts seed 001 (gpt-4o-image, "Draw a cat") to /v1/chat/completions with Bearer auth and modalities', async () => {
    await run({ model: 'gpt-4o-image', prompt: 'Draw a cat' });
    const [sent] = fake.requests;
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(sent?.json).toEqual({
      model: 'gpt-4o-image',
      messages: [{ role: 'user', content: 'Draw a cat' }],
      modalities: ['image', 'text'],
    });
  });

  it('sends images as image_url data URLs, the sampling and tool fields, stream options and extra fields', async () => {
    const input = ImageData.fromBytes(await makeFakeImage(20, 10, 'jpeg'), 'image/jpeg');
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
    await run({
      model: 'gpt-4o-mini',
      prompt: 'What is this?',
      system: 'Be brief.',
      messages: [{ role: 'user', text: 'What is this?', images: [input] }],
      inputImages: [input],
      wantsImage: false,
      stream: true,
      temperature: 0.2,
      maxTokens: 100,
      seed: 7,
      tools,
      toolChoice: 'auto',
      responseFormat: { type: 'json_object' },
      extra: { top_k: 3, user: 'u-1' },
    });
    expect(fake.requests[0]?.json).toEqual({
      top_k: 3,
      user: 'u-1',
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: input.dataUrl() } },
          ],
        },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      max_tokens: 100,
      seed: 7,
      tools,
      tool_choice: 'auto',
      response_format: { type: 'json_object' },
    });
  });

  it('attaches an image from an earlier assistant turn to the last user message, and forwards size hints to image models', async () => {
    const earlier = ImageData.fromBytes(await makeFakeImage(16, 16, 'png'), 'image/png');
    await run({
      model: 'banana',
      prompt: 'Make it blue',
      aspectRatio: '16:9',
      imageSize: '2K',
      messages: [
        { role: 'user', text: 'Draw a cat', images: [] },
        { role: 'assistant', text: 'Here it is', images: [earlier] },
        { role: 'user', text: 'Make it blue', images: [] },
      ],
      inputImages: [earlier],
    });
    const sent = fake.requests[0]?.json;
    expect(sent?.model).toBe('nano-banana');
    expect(sent?.messages).toEqual([
      { role: 'user', content: 'Draw a cat' },
      { role: 'assistant', content: 'Here it is' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Make it blue' },
          { type: 'image_url', image_url: { url: earlier.dataUrl() } },
        ],
      },
    ]);
    expect(sent?.image_config).toEqual({ aspect_ratio: '16:9', image_size: '2K' });
  });
});

describe('openai-chat provider: answers', () => {
  it.each<[OpenAIChatImageMode, boolean]>([
    ['images', false],
    ['markdown', false],
    ['markdown-split', false],
    ['markdown-url', false],
    ['images', true],
    ['markdown', true],
    ['markdown-split', true],
    ['markdown-url', true],
  ])('returns the image sent as %s (stream %s) as an image event with the markdown taken out of the text', async (mode, stream) => {
    fake.setScenario('image', mode);
    const downloadsBefore = fake.downloads;
    const events = await run({ model: 'gpt-4o-image', stream });
    expect(imagesOf(events)).toHaveLength(1);
    await expectFakeImage(imagesOf(events)[0]);
    expect(textOf(events)).toBe(mode === 'markdown' || mode === 'markdown-split' ? 'Here is your image:  Enjoy!' : 'Here is your image: ');
    expect(textOf(events)).not.toContain('data:');
    expect(fake.downloads - downloadsBefore).toBe(mode === 'markdown-url' ? 1 : 0);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it.each([false, true])('reports usage with image and reasoning tokens (stream %s)', async (stream) => {
    const events = await run({ model: 'gpt-4o-image', stream });
    expect(events.find((event) => event.type === 'usage')).toEqual({
      type: 'usage',
      usage: {
        promptTokens: 12,
        completionTokens: 1310,
        totalTokens: 1322,
        imageTokens: 1290,
        reasoningTokens: 20,
        promptTextTokens: 12,
        promptCachedTokens: 0,
      },
    });
  });

  it.each([false, true])('yields reasoning_content as reasoning deltas (stream %s)', async (stream) => {
    fake.setScenario('reasoning');
    const events = await run({ model: 'gpt-4o-image', stream });
    const reasoning = events.flatMap((event) => (event.type === 'reasoning-delta' ? [event.text] : [])).join('');
    expect(reasoning).toBe('**Planning the image**\n\nA cat on a windowsill.');
    expect(events.findIndex((event) => event.type === 'reasoning-delta')).toBeLessThan(events.findIndex((event) => event.type === 'image'));
  });

  it.each([false, true])('answers text-only questions with text (stream %s)', async (stream) => {
    fake.setScenario('text');
    const events = await run({ model: 'gpt-4o-mini', stream, wantsImage: false });
    expect(textOf(events)).toBe('The capital of France is Paris.');
    expect(imagesOf(events)).toHaveLength(0);
    expect(fake.requests[0]?.json).not.toHaveProperty('modalities');
  });

  it.each([false, true])('returns tool calls as tool-call deltas that add up to the call (stream %s)', async (stream) => {
    fake.setScenario('tool-call');
    const events = await run({ model: 'gpt-4o-mini', stream });
    const calls = events.flatMap((event) => (event.type === 'tool-call-delta' ? [event] : []));
    expect(calls[0]).toMatchObject({ index: 0, id: 'call_abc123', name: 'get_weather' });
    expect(calls.map((call) => call.arguments ?? '').join('')).toBe('{"location":"Paris"}');
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool_calls' });
  });

  it.each([false, true])('passes a content_filter finish through (stream %s)', async (stream) => {
    fake.setScenario('content-filter');
    const events = await run({ model: 'gpt-4o-image', stream });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'content_filter' });
  });
});

describe('openai-chat provider: config', () => {
  it('requires baseURL and models and names them', () => {
    expect(() => createOpenAIChatProvider({ type: 'openai-chat', models: ['x'] }, defaultProviderContext())).toThrow(
      /baseURL: is required/,
    );
    expect(() => createOpenAIChatProvider({ type: 'openai-chat', baseURL: 'https://relay.example/v1' }, defaultProviderContext())).toThrow(
      /models: is required/,
    );
  });

  it('guesses capabilities from model names and applies overrides', () => {
    const relay = createOpenAIChatProvider(
      {
        type: 'openai-chat',
        baseURL: 'https://relay.example/v1',
        models: [
          'gpt-4o-image',
          'doubao-seedream-4-0-250828',
          'llama-3.3-70b',
          { id: 'my-painter', capabilities: { imageOutput: true, tools: false } },
        ],
      },
      defaultProviderContext(),
    );
    const summary = relay.models.map((model) => [
      model.id,
      model.capabilities.imageOutput,
      model.capabilities.text,
      model.capabilities.tools,
    ]);
    expect(summary).toEqual([
      ['gpt-4o-image', true, true, false],
      ['doubao-seedream-4-0-250828', true, true, false],
      ['llama-3.3-70b', false, true, true],
      ['my-painter', true, true, false],
    ]);
  });
});
