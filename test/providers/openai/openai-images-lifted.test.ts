import { describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../../src/provider.js';
import { newImagesAnswerReader } from '../../../src/providers/openai/openai-images-lifted.js';
import { type ImagesResponseBody, readImagesResponse } from '../../../src/providers/openai/openai-images-response.js';
import { readImagesStream } from '../../../src/providers/openai/openai-images-stream.js';
import { httpOverFetch } from '../../../src/providers/shared/upstream-http.js';
import { readJsonObject } from '../../../src/providers/shared/upstream-json.js';

// A PNG signature, then enough bytes that the base64 passes the 64 KiB from which it is lifted out.
const imageBytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200_000, 3)]);
const b64 = imageBytes.toString('base64');
const context = { provider: 'openai', url: 'https://api.openai.test/v1/images/generations', now: Date.now };

const responseOf = (body: string, contentType: string) =>
  httpOverFetch(async () => new Response(body, { headers: { 'content-type': contentType } }))('https://api.openai.test/', {});

async function images(events: AsyncGenerator<GenerationEvent, unknown>) {
  const found = [];
  for await (const event of events) if (event.type === 'image') found.push(event.image);
  return found;
}

describe('OpenAI Images answers with big images', () => {
  it('carry data[].b64_json as the bytes it arrived in, with its media type read from them', async () => {
    const signal = new AbortController().signal;
    const response = await responseOf(JSON.stringify({ created: 1, data: [{ b64_json: b64 }] }), 'application/json');
    const body = await readJsonObject<ImagesResponseBody>(response, context, signal, newImagesAnswerReader());
    const [image] = await images(readImagesResponse(body, { provider: 'openai', url: context.url, http: httpOverFetch(fetch), signal }));
    expect(image?.mediaType).toBe('image/png');
    expect(image?.base64Parts().every((part) => part instanceof Uint8Array)).toBe(true);
    expect(image?.bytes().equals(imageBytes)).toBe(true);
  });

  it('carry a completed stream event’s b64_json the same way', async () => {
    const event = { type: 'image_generation.completed', b64_json: b64, output_format: 'png', usage: { input_tokens: 1, output_tokens: 2 } };
    const response = await responseOf(`event: image_generation.completed\ndata: ${JSON.stringify(event)}\n\n`, 'text/event-stream');
    const [image] = await images(readImagesStream(response, new AbortController().signal, context));
    expect(image?.base64Parts().every((part) => part instanceof Uint8Array)).toBe(true);
    expect(image?.bytes().equals(imageBytes)).toBe(true);
  });
});
