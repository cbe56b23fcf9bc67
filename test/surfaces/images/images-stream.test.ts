import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAIImagesFake, startOpenAIImagesFake } from '../../fakes/openai-images-fake.js';
import { decodeBase64Image, gatewayKey, serveGateway, solidPng } from '../served-gateway.js';

let openai: OpenAIImagesFake;
beforeAll(async () => {
  openai = await startOpenAIImagesFake();
});
afterAll(async () => {
  await openai.close();
});

describe('Images API streaming (stream: true, partial_images)', () => {
  it('passes OpenAI Images partial images on, then the completed event with usage, to images.generate({stream: true, partial_images: 2})', async () => {
    const { client } = await serveGateway({ providers: [{ type: 'openai', apiKey: 'sk-images-key-0001', baseURL: openai.url }] });
    const stream = await client.images.generate({
      model: 'gpt-image-1',
      prompt: 'a lighthouse',
      size: '1024x1536',
      output_format: 'webp',
      stream: true,
      partial_images: 2,
    });
    const events: any[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.type)).toEqual([
      'image_generation.partial_image',
      'image_generation.partial_image',
      'image_generation.completed',
    ]);
    expect(events.map((event) => event.partial_image_index)).toEqual([0, 1, undefined]);
    const completed = events[2];
    expect(completed).toMatchObject({ size: '1024x1536', output_format: 'webp', quality: 'auto', background: 'auto' });
    expect(completed.usage).toMatchObject({ input_tokens: 50, output_tokens: 4160 });
    expect(Number.isInteger(completed.created_at)).toBe(true);
    expect(await decodeBase64Image(completed.b64_json)).toMatchObject({ format: 'webp', width: 1024, height: 1536 });
    expect(openai.requests.at(-1)?.json).toMatchObject({ stream: true, partial_images: 2 });
  });

  it('sends only the completed event from a provider without partial images, with heartbeats while it waits', async () => {
    const { baseURL } = await serveGateway({ providers: [{ type: 'local', delayMs: 200 }], heartbeatIntervalMs: 20 });
    const response = await fetch(`${baseURL}/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a cat', size: '128x128', stream: true, partial_images: 3 }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    expect(text).toMatch(/^: keep-alive$/m);
    expect(text).not.toContain('[DONE]');
    const named = [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(named).toEqual(['image_generation.completed']);
    const data = JSON.parse(/^data: (.+)$/m.exec(text.slice(text.indexOf('event: ')))?.[1] ?? '{}');
    expect(data.type).toBe('image_generation.completed');
    expect(await decodeBase64Image(data.b64_json)).toMatchObject({ width: 128, height: 128 });
  });

  it('streams an edit as image_edit.* events', async () => {
    const { client } = await serveGateway({ providers: [{ type: 'openai', apiKey: 'sk-images-key-0001', baseURL: openai.url }] });
    const stream = await client.images.edit({
      model: 'gpt-image-1',
      image: await toFile(await solidPng(64, 64), 'a.png', { type: 'image/png' }),
      prompt: 'brighter',
      stream: true,
      partial_images: 1,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['image_edit.partial_image', 'image_edit.completed']);
  });

  it('ends a failing stream with an error event the SDK raises', async () => {
    const fake = await startOpenAIImagesFake({ scenario: 'mid-stream-error' });
    try {
      const { client } = await serveGateway({ providers: [{ type: 'openai', apiKey: 'sk-images-key-0001', baseURL: fake.url }] });
      const stream = await client.images.generate({ model: 'gpt-image-1', prompt: 'a cat', stream: true, partial_images: 1 });
      const seen: string[] = [];
      const failure = await (async () => {
        for await (const event of stream) seen.push(event.type);
      })().catch((error) => error);
      expect(seen).toEqual(['image_generation.partial_image']);
      expect(failure).toBeInstanceOf(Error);
      expect(String(failure.message)).not.toBe('');
    } finally {
      await fake.close();
    }
  });
});
