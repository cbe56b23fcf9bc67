import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../adapters/node.js';
import { createImageGateway, type ImageGateway } from '../../src/index.js';
import { listen } from '../adapters/adapter-test-helpers.js';
import { type OpenAIChatFake, startOpenAIChatFake } from '../fakes/openai-chat-fake.js';

const gatewayKey = 'sk-relay-fields-gateway-0001';
let relay: OpenAIChatFake;
let gateway: ImageGateway;
let client: OpenAI;

beforeAll(async () => {
  relay = await startOpenAIChatFake({ scenario: 'text' });
});
afterAll(() => relay.close());
afterEach(() => gateway?.close());

async function start(): Promise<void> {
  gateway = createImageGateway({
    providers: [{ type: 'openai-chat', apiKey: 'sk-relay-key-0123456789', baseURL: relay.url, models: ['gpt-4o', 'o3-mini'] }],
  });
  const url = await listen(createServer({ gateway, apiKeys: [gatewayKey] } as never));
  client = new OpenAI({ apiKey: gatewayKey, baseURL: `${url}/v1`, maxRetries: 0 });
}

function lastSent(): Record<string, unknown> {
  return relay.requests.at(-1)?.json as Record<string, unknown>;
}

describe('a relay receives the OpenAI chat fields its wire format knows', () => {
  it('passes legacy function calling (functions, function_call) through as the openai SDK sent it', async () => {
    await start();
    const functions = [
      { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    ];
    await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      functions,
      function_call: { name: 'get_weather' },
    });
    const sent = lastSent();
    expect(sent.functions).toEqual(functions);
    expect(sent.function_call).toEqual({ name: 'get_weather' });
  });

  it('keeps max_completion_tokens and reasoning_effort for a reasoning model, never rewriting them to max_tokens', async () => {
    await start();
    await client.chat.completions.create({
      model: 'o3-mini',
      messages: [{ role: 'user', content: 'Think briefly.' }],
      max_completion_tokens: 100,
      reasoning_effort: 'minimal',
    });
    const sent = lastSent();
    expect(sent.max_completion_tokens).toBe(100);
    expect(sent.reasoning_effort).toBe('minimal');
    expect(Object.hasOwn(sent, 'max_tokens')).toBe(false);
  });

  it('still sends max_tokens when the client sent max_tokens', async () => {
    await start();
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 50 });
    const sent = lastSent();
    expect(sent.max_tokens).toBe(50);
    expect(Object.hasOwn(sent, 'max_completion_tokens')).toBe(false);
  });

  it('passes service_tier, prediction, web_search_options, seed and response_format', async () => {
    await start();
    await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Rewrite as json' }],
      service_tier: 'flex',
      prediction: { type: 'content', content: 'the old text' },
      web_search_options: { search_context_size: 'low' },
      seed: 42,
      response_format: { type: 'json_object' },
    });
    const sent = lastSent();
    expect(sent.service_tier).toBe('flex');
    expect(sent.prediction).toEqual({ type: 'content', content: 'the old text' });
    expect(sent.web_search_options).toEqual({ search_context_size: 'low' });
    expect(sent.seed).toBe(42);
    expect(sent.response_format).toEqual({ type: 'json_object' });
  });
});
