import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../../src/gateway.js';
import { makeFakeImage, type OpenAIImagesFake, startOpenAIImagesFake } from '../../fakes/openai-images-fake.js';
import { postChat } from '../../helpers/gateway-client.js';
import { decodedImages } from '../gateway-answer-images.js';

let fake: OpenAIImagesFake;
let gateway: ImageGateway;

beforeAll(async () => {
  fake = await startOpenAIImagesFake();
  gateway = createImageGateway({ providers: [{ type: 'openai', apiKey: 'sk-images-key', baseURL: fake.url }] });
});
afterAll(async () => {
  await gateway.close();
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

describe('openai images provider through the gateway', () => {
  it('turns a gpt-image-1 chat request into an images/generations call and answers with the image', async () => {
    const response = await postChat(gateway, {
      model: 'gpt-image-1',
      size: '1536x1024',
      messages: [{ role: 'user', content: 'Draw a lighthouse' }],
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ object: 'chat.completion', choices: [{ message: { role: 'assistant' }, finish_reason: 'stop' }] });
    expect(body.usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 4160, total_tokens: 4210 });
    const images = await decodedImages(JSON.stringify(body.choices[0].message));
    expect(images[0]).toMatchObject({ width: 1536, height: 1024 });
    expect(fake.requests[0]).toMatchObject({
      path: '/v1/images/generations',
      json: { model: 'gpt-image-1', prompt: 'Draw a lighthouse', size: '1536x1024' },
    });
  });

  it('turns a chat request with an input image into a multipart images/edits call', async () => {
    const input = (await makeFakeImage(80, 60, 'png')).toString('base64');
    const response = await postChat(gateway, {
      model: 'gpt-image-1',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Make this image more vibrant' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${input}` } },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(await decodedImages(JSON.stringify(body.choices[0].message))).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent?.path).toBe('/v1/images/edits');
    expect(sent?.fields).toMatchObject({ model: 'gpt-image-1', prompt: 'Make this image more vibrant' });
    expect(sent?.files?.map((file) => [file.field, file.width, file.height])).toEqual([['image', 80, 60]]);
  });

  it('streams gpt-image-1 through the gateway and ends with [DONE]', async () => {
    const response = await postChat(gateway, {
      model: 'gpt-image-1',
      stream: true,
      messages: [{ role: 'user', content: 'Draw a lighthouse' }],
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect((await decodedImages(text)).length).toBeGreaterThanOrEqual(1);
    expect(fake.requests[0]?.json).toMatchObject({ stream: true, partial_images: 2 });
  });

  it('answers a moderation block as a client-visible error, not a 200', async () => {
    const response = await postChat(gateway, { model: 'gpt-image-1', messages: [{ role: 'user', content: 'Draw [scenario:moderation]' }] });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect((await response.json()).error).toMatchObject({ message: expect.any(String) });
  });
});
