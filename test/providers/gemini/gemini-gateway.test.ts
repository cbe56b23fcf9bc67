import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../../src/gateway.js';
import { type GeminiFake, startGeminiFake } from '../../fakes/gemini-fake.js';
import { postChat } from '../../helpers/gateway-client.js';
import { decodeDataUrl } from '../gateway-answer-images.js';

let fake: GeminiFake;
let gateway: ImageGateway;

beforeAll(async () => {
  fake = await startGeminiFake({ apiKey: 'gemini-key' });
  gateway = createImageGateway({ providers: [{ type: 'gemini', apiKey: 'gemini-key', baseURL: fake.url }], heartbeatIntervalMs: 50 });
});
afterAll(async () => {
  await gateway.close();
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

/** Every `data:` payload of an SSE body, `[DONE]` included. */
async function sseData(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6));
}

const markdownImage = /!\[generated\]\((data:image\/(?:jpeg|png);base64,[A-Za-z0-9+/=]+)\)/;

describe('gateway → gemini (seed 000: gemini-3-pro-image-preview)', () => {
  it('answers a non-streaming request with a chat.completion whose content is a markdown data-URL image', async () => {
    const response = await postChat(gateway, {
      model: 'gemini-3-pro-image-preview',
      messages: [{ role: 'user', content: 'generate a cat' }],
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ object: 'chat.completion', model: 'gemini-3-pro-image-preview' });
    expect(body.choices[0]).toMatchObject({ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' });
    const url = markdownImage.exec(body.choices[0].message.content)?.[1];
    expect(url).toMatch(/^data:image\/jpeg;base64,/);
    expect(await decodeDataUrl(url!)).toMatchObject({ format: 'jpeg', width: 1408, height: 768 });
    expect(body.usage.completion_tokens_details).toMatchObject({ image_tokens: 1120 });
    expect(body.usage.prompt_tokens_details).toEqual({ text_tokens: body.usage.prompt_tokens });
    expect(fake.requests[0]!.url).toBe('/v1beta/models/gemini-3-pro-image-preview:generateContent');
  });

  it("passes Gemini's cached prompt tokens on as prompt_tokens_details.cached_tokens", async () => {
    const response = await postChat(gateway, {
      model: 'gemini-3-pro-image-preview',
      messages: [{ role: 'user', content: `Draw a lighthouse. ${'Keep the style of the series. '.repeat(250)}` }],
    });
    expect(response.status).toBe(200);
    const { usage } = await response.json();
    expect(usage.prompt_tokens).toBeGreaterThanOrEqual(1024);
    expect(usage.prompt_tokens_details).toEqual({
      text_tokens: usage.prompt_tokens,
      cached_tokens: usage.prompt_tokens - (usage.prompt_tokens % 1024),
    });
  });

  it('streams chat.completion.chunk events ending in the image and [DONE]', async () => {
    const response = await postChat(gateway, {
      model: 'gemini-3-pro-image-preview',
      stream: true,
      messages: [{ role: 'user', content: 'generate a cat' }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const data = await sseData(response);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload));
    for (const chunk of chunks) expect(chunk.object).toBe('chat.completion.chunk');
    const content = chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('');
    expect(markdownImage.test(content)).toBe(true);
    expect(chunks.some((chunk) => chunk.choices?.[0]?.finish_reason === 'stop')).toBe(true);
    expect(fake.requests[0]!.url).toBe('/v1beta/models/gemini-3-pro-image-preview:streamGenerateContent?alt=sse');
  });
});

describe('gateway → gemini (seed 003: edit with gemini-2.0-flash-exp-image-generation)', () => {
  it('sends the input image upstream as inlineData and returns the edited image', async () => {
    const input = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 0, g: 0, b: 255 } } })
      .png()
      .toBuffer();
    const response = await postChat(gateway, {
      max_tokens: 4096,
      model: 'gemini-2.0-flash-exp-image-generation',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Change the theme color to red' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${input.toString('base64')}` } },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.object).toBe('chat.completion');
    const sent = fake.requests[0]!.body;
    const parts = sent.contents.at(-1).parts;
    expect(parts.some((part: { inlineData?: { mimeType: string } }) => part.inlineData?.mimeType.startsWith('image/'))).toBe(true);
    expect(parts.some((part: { text?: string }) => part.text === 'Change the theme color to red')).toBe(true);
    expect(sent.generationConfig.maxOutputTokens).toBe(4096);
    const url = markdownImage.exec(body.choices[0].message.content ?? '')?.[1] ?? body.choices[0].message.images?.[0]?.image_url?.url;
    expect(await decodeDataUrl(url)).toMatchObject({ width: 1248, height: 832 });
  });
});

describe('gateway → gemini (seed 004: stream with gemini-2.5-flash-image)', () => {
  it('streams the PNG image and usage with image tokens', async () => {
    const response = await postChat(gateway, {
      model: 'gemini-2.5-flash-image',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Draw a cute orange cat sitting on a windowsill watching the sunset' }],
    });
    expect(response.status).toBe(200);
    const data = await sseData(response);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload));
    const content = chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('');
    const images = chunks.flatMap((chunk) => chunk.choices?.[0]?.delta?.images ?? []);
    const url = markdownImage.exec(content)?.[1] ?? images[0]?.image_url?.url;
    expect(url).toMatch(/^data:image\/png;base64,/);
    expect(await decodeDataUrl(url)).toMatchObject({ format: 'png', width: 1024, height: 1024 });
    const usage = chunks.find((chunk) => chunk.usage)?.usage;
    expect(usage?.completion_tokens_details?.image_tokens).toBe(1290);
  });

  it('streams thought summaries of 3.x models as reasoning_content', async () => {
    const response = await postChat(gateway, {
      model: 'gemini-3-pro-image-preview',
      stream: true,
      messages: [{ role: 'user', content: 'Draw a lighthouse [scenario:thoughts]' }],
    });
    const chunks = (await sseData(response)).slice(0, -1).map((payload) => JSON.parse(payload));
    const reasoning = chunks.map((chunk) => chunk.choices?.[0]?.delta?.reasoning_content ?? '').join('');
    expect(reasoning).toContain('Composing the scene');
  });

  it('turns a blocked prompt into an OpenAI error instead of an empty answer', async () => {
    const response = await postChat(gateway, {
      model: 'gemini-2.5-flash-image',
      messages: [{ role: 'user', content: 'draw it [scenario:prompt-block]' }],
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    const body = await response.json();
    expect(body.error.message).toMatch(/PROHIBITED_CONTENT/);
    expect(JSON.stringify(body)).not.toContain('gemini-key');
  });
});
