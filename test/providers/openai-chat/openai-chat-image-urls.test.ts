import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageGateway } from '../../../src/index.js';
import { type OpenAIChatFake, startOpenAIChatFake } from '../../fakes/openai-chat-fake.js';
import { decodeMarkdownImage, postChat } from '../../helpers/gateway-client.js';

let fake: OpenAIChatFake;
beforeAll(async () => {
  fake = await startOpenAIChatFake({ scenario: 'image', imageMode: 'markdown-url' });
});
afterAll(() => fake.close());

const relay = () => ({ type: 'openai-chat' as const, apiKey: 'sk-relay-key', baseURL: fake.url, models: ['gpt-4o-image'] });
const drawRequest = { model: 'gpt-4o-image', messages: [{ role: 'user', content: 'Draw a cat' }] };

describe('image URLs written by a model', () => {
  it('are not fetched from a private address: a model cannot make the gateway read its own network', async () => {
    const gateway = createImageGateway({ providers: [relay()] });
    try {
      const downloadsBefore = fake.downloads;
      const response = await postChat(gateway, drawRequest);
      expect(response.status).toBe(502);
      const { error } = await response.json();
      expect(error.code).toBe('NO_IMAGE');
      // A fixed sentence: the URL and why it was refused stay in the log (no probing the network through the answer).
      expect(error.message).toMatch(/could not be downloaded/);
      expect(error.message).not.toMatch(/127\.0\.0\.1|http:/);
      expect(fake.downloads).toBe(downloadsBefore);
    } finally {
      await gateway.close();
    }
  });

  it('are fetched when the operator allows that network, and come back as images', async () => {
    const gateway = createImageGateway({
      providers: [relay()],
      images: { allowHttpUrls: true, allowPrivateNetworks: ['127.0.0.1/32'], allowRemotePorts: [Number(new URL(fake.url).port)] },
    });
    try {
      const response = await postChat(gateway, drawRequest);
      expect(response.status).toBe(200);
      const body = await response.json();
      const image = await decodeMarkdownImage(body.choices[0].message.content);
      expect(image.width).toBeGreaterThan(0);
      expect(body.choices[0].message.content).not.toContain('http://127.0.0.1');
    } finally {
      await gateway.close();
    }
  });
});
