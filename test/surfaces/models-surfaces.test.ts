import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateImage } from 'ai';
import { describe, expect, it } from 'vitest';
import { startOpenAIChatFake } from '../fakes/openai-chat-fake.js';
import { decodeBase64Image, gatewayKey, serveGateway } from './served-gateway.js';

const relayOnly = {
  providers: [
    { type: 'local' as const },
    {
      type: 'openai-chat' as const,
      apiKey: 'sk-relay-key-0001',
      baseURL: 'http://127.0.0.1:9/v1',
      models: [{ id: 'gpt-4o-mini', capabilities: { imageOutput: false, imageInput: false, text: true } }],
    },
  ],
};

describe('models and the surfaces they serve', () => {
  it('GET /v1/models marks which surfaces each model serves', async () => {
    const { client } = await serveGateway(relayOnly);
    const models = (await client.models.list()).data as unknown as Array<{ id: string; surfaces: string[] }>;
    expect(models.find((model) => model.id === 'local-image')?.surfaces).toEqual([
      'chat.completions',
      'responses',
      'images.generations',
      'images.edits',
    ]);
    expect(models.find((model) => model.id === 'gpt-4o-mini')?.surfaces).toEqual(['chat.completions', 'responses']);
  });

  it('the Images API refuses a model that cannot draw with a 400 naming the model and the surface', async () => {
    const { client } = await serveGateway(relayOnly);
    const error = await client.images.generate({ model: 'gpt-4o-mini', prompt: 'a cat' }).catch((failure) => failure);
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ param: 'model', code: 'MODEL_SURFACE_UNSUPPORTED' });
    expect(error.error.message).toMatch(/^Model gpt-4o-mini cannot serve POST \/v1\/images\/generations \(images\.generations\)/);
  });
});

describe('a named model whose abilities are guessed from its name', () => {
  it('is not refused on a surface for a guess: the relay listed by id only gets the images request', async () => {
    const relay = await startOpenAIChatFake();
    try {
      const { client } = await serveGateway({
        providers: [{ type: 'openai-chat', apiKey: 'sk-relay-key-0001', baseURL: relay.url, models: ['house-model-7'] }],
      });
      const answer = await client.images.generate({ model: 'house-model-7', prompt: 'draw a lighthouse' });
      expect(answer.data?.[0]?.b64_json?.length).toBeGreaterThan(0);
      expect(relay.requests).toHaveLength(1);
    } finally {
      await relay.close();
    }
  });
});

describe("the Vercel AI SDK's generateImage, unmodified", () => {
  it('works with @ai-sdk/openai-compatible', async () => {
    const { baseURL } = await serveGateway();
    const provider = createOpenAICompatible({ name: 'gateway', apiKey: gatewayKey, baseURL });
    const { images } = await generateImage({
      model: provider.imageModel('local-image'),
      prompt: 'a red lighthouse',
      size: '512x512',
      n: 2,
    });
    expect(images).toHaveLength(2);
    for (const image of images) expect(await decodeBase64Image(image.base64)).toMatchObject({ width: 512, height: 512 });
  });

  it('works with @ai-sdk/openai', async () => {
    const { baseURL } = await serveGateway();
    const provider = createOpenAI({ apiKey: gatewayKey, baseURL });
    const { image } = await generateImage({ model: provider.image('local-image'), prompt: 'a red lighthouse', size: '640x480' });
    expect(await decodeBase64Image(image.base64)).toMatchObject({ width: 640, height: 480 });
  });
});
