import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../../src/gateway.js';
import { type OpenAIChatFake, startOpenAIChatFake } from '../../fakes/openai-chat-fake.js';
import { postChat } from '../../helpers/gateway-client.js';
import { decodedImages } from '../gateway-answer-images.js';

let fake: OpenAIChatFake;
let gateway: ImageGateway;

beforeAll(async () => {
  fake = await startOpenAIChatFake();
  gateway = createImageGateway({
    providers: [{ type: 'openai-chat', apiKey: 'sk-relay-key', baseURL: fake.url, models: ['gpt-4o-image'] }],
  });
});
afterAll(async () => {
  await gateway.close();
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.setScenario('image', 'images');
});

describe('openai-chat provider through the gateway', () => {
  it('answers seed 001 (gpt-4o-image, stream false, "Draw a cat") in the seed 001 shape', async () => {
    const response = await postChat(gateway, { model: 'gpt-4o-image', stream: false, messages: [{ role: 'user', content: 'Draw a cat' }] });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      id: expect.any(String),
      object: 'chat.completion',
      created: expect.any(Number),
      choices: [{ index: 0, message: { role: 'assistant', content: expect.any(String) }, finish_reason: 'stop' }],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) },
    });
    expect(body.usage.prompt_tokens_details).toEqual({ text_tokens: 12, cached_tokens: 0 });
    const images = await decodedImages(JSON.stringify(body.choices[0].message));
    expect(images[0]).toMatchObject({ width: 96, height: 64 });
    expect(fake.requests[0]?.json).toMatchObject({ model: 'gpt-4o-image', messages: [{ role: 'user', content: 'Draw a cat' }] });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-relay-key');
  });

  it("passes seed 001's answer text on byte for byte, leading blank line and all", async () => {
    // Seed 001's example answer, exactly as the relay sends it.
    const seedAnswer = {
      id: 'chatcmpl-123',
      object: 'chat.completion',
      created: 1677652288,
      choices: [
        { index: 0, message: { role: 'assistant', content: '\n\nHello there, how may I assist you today?' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
    };
    const relay = createImageGateway({
      fetch: async () => Response.json(seedAnswer),
      providers: [{ type: 'openai-chat', apiKey: 'sk-relay-key', baseURL: 'https://relay.test/v1', models: ['gpt-4o-image'] }],
    });
    try {
      const response = await postChat(relay, { model: 'gpt-4o-image', stream: false, messages: [{ role: 'user', content: 'Hello' }] });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.choices).toEqual([
        { index: 0, message: { role: 'assistant', content: '\n\nHello there, how may I assist you today?' }, finish_reason: 'stop' },
      ]);
      expect(body.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 });
    } finally {
      await relay.close();
    }
  });

  it('streams a relay answer whose image arrives as markdown split across deltas', async () => {
    fake.setScenario('image', 'markdown-split');
    const response = await postChat(gateway, { model: 'gpt-4o-image', stream: true, messages: [{ role: 'user', content: 'Draw a cat' }] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const dataLines = text.split('\n').filter((line) => line.startsWith('data: '));
    expect(dataLines.at(-1)).toBe('data: [DONE]');
    const chunks = dataLines.slice(0, -1).map((line) => JSON.parse(line.slice(6)));
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toBe(true);
    const images = await decodedImages(text);
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ width: 96, height: 64 });
    expect(fake.requests[0]?.json).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('answers a relay failure in OpenAI error form without the key', async () => {
    const response = await postChat(gateway, {
      model: 'gpt-4o-image',
      messages: [{ role: 'user', content: 'Draw a cat [scenario:bad-key]' }],
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    const body = await response.json();
    expect(body.error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain('sk-');
  });

  it.each([false, true])('lets go of a slow relay call and its slot at once when the client leaves (stream: %s)', async (stream) => {
    fake.setScenario('slow');
    const before = fake.requests.length;
    const abandoned = fake.abandoned;
    const controller = new AbortController();
    const answer = postChat(
      gateway,
      { model: 'gpt-4o-image', stream, messages: [{ role: 'user', content: 'Draw a cat' }] },
      { signal: controller.signal },
    );
    while (fake.requests.length === before) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new DOMException('client left', 'AbortError'));
    await answer.then((response) => response.text()).catch(() => undefined);
    // The relay sees its request dropped, and the slot is free again.
    while (fake.abandoned === abandoned) await new Promise((resolve) => setTimeout(resolve, 5));
    while ((gateway.stats().providers['openai-chat']?.active ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(gateway.stats().providers['openai-chat']?.active).toBe(0);
  });
});
