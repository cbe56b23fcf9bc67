import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../../adapters/node.js';
import { createImageGateway, type ImageGateway } from '../../src/index.js';
import { listen } from '../adapters/adapter-test-helpers.js';
import { startGeminiFake } from '../fakes/gemini-fake.js';
import { startOpenAIChatFake } from '../fakes/openai-chat-fake.js';

const gatewayKey = 'sk-image-required-gateway-01';
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function clientFor(gateway: ImageGateway): Promise<OpenAI> {
  closers.push(() => gateway.close());
  const url = await listen(createServer({ gateway, apiKeys: [gatewayKey] } as never));
  return new OpenAI({ apiKey: gatewayKey, baseURL: `${url}/v1`, maxRetries: 0 });
}

async function textRelay(): Promise<OpenAI> {
  const relay = await startOpenAIChatFake({ scenario: 'text' });
  closers.push(() => relay.close());
  return clientFor(
    createImageGateway({
      providers: [{ type: 'openai-chat', apiKey: 'sk-relay-key-0123456789', baseURL: relay.url, models: ['gpt-4o'] }],
      heartbeatIntervalMs: 60_000,
    }),
  );
}

describe('a text answer is an error only when the request cannot do without an image', () => {
  it('questions that mention images get the relay’s text answer, and never open the circuit for anyone else', async () => {
    const client = await textRelay();
    for (const question of [
      'How do I create a Docker image?',
      'How do I make an icon in Figma?',
      'Can you generate a list of image formats?',
    ]) {
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: question }] });
      expect(completion.choices[0]?.message.content).toBeTruthy();
    }
    const hello = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] });
    expect(hello.choices[0]?.message.content).toBeTruthy();
  });

  it('streams a question’s text answer as it comes, without holding it for an image', async () => {
    const client = await textRelay();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'How do I create a Docker image?' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).not.toBe('');
  });

  it('on /v1/responses, a question with the image_generation tool offered gets the text answer; a forced tool does not', async () => {
    const client = await textRelay();
    const response = await client.responses.create({
      model: 'gpt-4o',
      input: 'How do I create a Docker image?',
      tools: [{ type: 'image_generation' }],
    });
    expect(response.output_text.length).toBeGreaterThan(0);
    const forced = await client.responses
      .create({ model: 'gpt-4o', input: 'a red cat', tools: [{ type: 'image_generation' }], tool_choice: 'required' })
      .catch((error: unknown) => error);
    expect((forced as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
  });

  it('"draw a red cat" with modalities image and text still fails as NO_IMAGE when only text comes back', async () => {
    const client = await textRelay();
    const failure = await client.chat.completions
      .create({ model: 'gpt-4o', modalities: ['image', 'text'] as never, messages: [{ role: 'user', content: 'draw a red cat' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((failure as InstanceType<typeof OpenAI.APIError>).code).toBe('NO_IMAGE');
  });

  it('a question to gemini-2.5-flash-image with modalities image and text gets the model’s text answer', async () => {
    const gemini = await startGeminiFake({ apiKey: 'gemini-key-0000000000', scenario: 'text-refusal' });
    closers.push(() => gemini.close());
    const client = await clientFor(
      createImageGateway({
        providers: [{ type: 'gemini', apiKey: 'gemini-key-0000000000', baseURL: gemini.url }],
        heartbeatIntervalMs: 60_000,
      }),
    );
    const completion = await client.chat.completions.create({
      model: 'gemini-2.5-flash-image',
      modalities: ['image', 'text'] as never,
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
  });
});
