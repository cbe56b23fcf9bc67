import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../../src/index.js';
import { dataChunks, decodeMarkdownImage, parseSse, pngDataUrl, postChat } from '../../helpers/gateway-client.js';

let gateway: ImageGateway;
afterEach(async () => {
  await gateway?.close();
});

describe('POST /v1/chat/completions with the local engine', () => {
  it('answers the issue curl with a chat.completion whose markdown image is a real 1024×1024 JPEG', async () => {
    gateway = createImageGateway();
    const response = await postChat(gateway, { model: 'local-image', messages: [{ role: 'user', content: 'generate a cat' }] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = await response.json();
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'local-image',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant' } }],
    });
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(Number.isInteger(body.created)).toBe(true);
    expect(body.choices[0].message.content).toMatch(/^!\[generated\]\(data:image\/jpeg;base64,\/9j\//);
    const image = await decodeMarkdownImage(body.choices[0].message.content);
    expect(image).toMatchObject({ format: 'jpeg', width: 1024, height: 1024 });
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    expect(body.usage.completion_tokens_details.image_tokens).toBeGreaterThan(0);
    // Seed 004's usage: the prompt split out as well, in the seed's key order.
    expect(Object.keys(body.usage)).toEqual([
      'prompt_tokens',
      'completion_tokens',
      'total_tokens',
      'prompt_tokens_details',
      'completion_tokens_details',
    ]);
    expect(body.usage.prompt_tokens_details).toEqual({ text_tokens: body.usage.prompt_tokens });
    expect(response.headers.get('x-gateway-provider')).toBe('local');
    expect(response.headers.get('x-gateway-model')).toBe('local-image');
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    expect(response.headers.get('x-gateway-request-id')).toMatch(/^req_/);
  });

  it('edits a PNG input as seed 000 and 003 show and returns a JPEG with the edit applied', async () => {
    gateway = createImageGateway();
    const input = await pngDataUrl(320, 200, { r: 30, g: 90, b: 200 });
    const response = await postChat(gateway, {
      max_tokens: 4096,
      model: 'local-image',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Change the theme color to red' },
            { type: 'image_url', image_url: { url: input } },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    const image = await decodeMarkdownImage(body.choices[0].message.content);
    expect(image).toMatchObject({ format: 'jpeg', width: 320, height: 200 });
    const stats = await sharp(image.bytes).stats();
    const [red, green, blue] = stats.channels.map((channel) => channel.mean);
    expect(red).toBeGreaterThan(green as number);
    expect(red).toBeGreaterThan(blue as number);
  });

  it('returns images in message.images when the request names modalities (seed 004 shape)', async () => {
    gateway = createImageGateway();
    const response = await postChat(gateway, {
      model: 'local-image',
      modalities: ['image', 'text'],
      messages: [{ role: 'user', content: 'Draw a cute orange cat sitting on a windowsill watching the sunset' }],
    });
    const body = await response.json();
    const message = body.choices[0].message;
    expect(message.images).toHaveLength(1);
    expect(message.images[0]).toMatchObject({ type: 'image_url', index: 0 });
    expect(message.images[0].image_url.url).toMatch(/^data:image\/jpeg;base64,/);
    expect(message.content).not.toContain('data:image');
  });

  it('answers plain conversation with text and no image', async () => {
    gateway = createImageGateway();
    const response = await postChat(gateway, {
      model: 'local-image',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.choices[0].message.content).not.toContain('data:image');
    expect(body.choices[0].message.content.length).toBeGreaterThan(10);
  });

  it('returns n distinct images', async () => {
    gateway = createImageGateway();
    const response = await postChat(gateway, {
      model: 'local-image',
      n: 2,
      size: '256x128',
      messages: [{ role: 'user', content: 'draw two mountains' }],
    });
    const body = await response.json();
    const urls = [...body.choices[0].message.content.matchAll(/data:image\/jpeg;base64,[^)]+/g)].map((match) => match[0]);
    expect(urls).toHaveLength(2);
    expect(urls[0]).not.toBe(urls[1]);
    const first = await decodeMarkdownImage(body.choices[0].message.content);
    expect(first).toMatchObject({ width: 256, height: 128 });
  });
});

describe('streaming', () => {
  it('streams role chunk, image chunk with finish_reason stop, usage on request, then [DONE]', async () => {
    gateway = createImageGateway();
    const response = await postChat(gateway, {
      model: 'local-image',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'generate a cat' }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const items = parseSse(await response.text());
    expect(items.at(-1)).toEqual({ kind: 'data', value: '[DONE]' });
    const chunks = dataChunks(items);
    expect(chunks[0].choices[0]).toEqual({ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null });
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    const final = chunks.find((chunk) => chunk.choices[0]?.finish_reason === 'stop');
    expect(final.object).toBe('chat.completion.chunk');
    const image = await decodeMarkdownImage(final.choices[0].delta.content);
    expect(image).toMatchObject({ format: 'jpeg', width: 1024, height: 1024 });
    const usage = chunks.at(-1);
    expect(usage.choices).toEqual([]);
    expect(usage.usage.total_tokens).toBeGreaterThan(0);
  });
});
