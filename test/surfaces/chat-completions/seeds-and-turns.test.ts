import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { optionsFromEnvironment } from '../../../src/cli-config.js';
import { createImageGateway, type ImageGateway } from '../../../src/index.js';
import { decodeMarkdownImage, postChat } from '../../helpers/gateway-client.js';

let gateway: ImageGateway;
afterEach(async () => {
  await gateway?.close();
});

async function jpegDataUrl(width: number, height: number): Promise<string> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: 150, g: 110, b: 90 } } })
    .jpeg()
    .toBuffer();
  return `data:image/jpeg;base64,${bytes.toString('base64')}`;
}

const channelMeans = async (bytes: Buffer) => (await sharp(bytes).stats()).channels.map((channel) => channel.mean);
const saturation = async (bytes: Buffer) => {
  const [red, green, blue] = await channelMeans(bytes);
  return Math.max(red ?? 0, green ?? 0, blue ?? 0) - Math.min(red ?? 0, green ?? 0, blue ?? 0);
};

describe('seed 000 multimodal request on the local engine', () => {
  it('makes a JPEG input more vibrant, keeps its size and answers with a JPEG', async () => {
    gateway = createImageGateway();
    const input = await jpegDataUrl(300, 200);
    const response = await postChat(gateway, {
      model: 'local-image',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Make this image more vibrant' },
            { type: 'image_url', image_url: { url: input } },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    const output = await decodeMarkdownImage(body.choices[0].message.content);
    expect(output).toMatchObject({ format: 'jpeg', width: 300, height: 200 });
    expect(await saturation(output.bytes)).toBeGreaterThan(await saturation(Buffer.from(input.split(',')[1] as string, 'base64')));
  });
});

describe('multi-turn edits', () => {
  it('edits the image of the previous assistant turn when the follow-up says "make it black and white"', async () => {
    gateway = createImageGateway();
    const first = await (
      await postChat(gateway, { model: 'local-image', size: '320x240', messages: [{ role: 'user', content: 'draw a red balloon' }] })
    ).json();
    const previous = first.choices[0].message.content as string;
    const response = await postChat(gateway, {
      model: 'local-image',
      messages: [
        { role: 'user', content: 'draw a red balloon' },
        { role: 'assistant', content: previous },
        { role: 'user', content: 'now make it black and white' },
      ],
    });
    expect(response.status).toBe(200);
    const output = await decodeMarkdownImage((await response.json()).choices[0].message.content);
    expect(output).toMatchObject({ width: 320, height: 240 });
    const [red, green, blue] = await channelMeans(output.bytes);
    expect(Math.abs((red ?? 0) - (green ?? 0))).toBeLessThan(2);
    expect(Math.abs((green ?? 0) - (blue ?? 0))).toBeLessThan(2);
  });
});

describe('CORS', () => {
  it('answers preflights and exposes the diagnostic headers when on', async () => {
    gateway = createImageGateway({ cors: { origin: ['https://app.example'] } });
    const preflight = await gateway.fetch(
      new Request('http://gateway.test/v1/chat/completions', { method: 'OPTIONS', headers: { origin: 'https://app.example' } }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const response = await postChat(
      gateway,
      { messages: [{ role: 'user', content: 'hi' }] },
      { headers: { origin: 'https://app.example' } },
    );
    expect(response.headers.get('access-control-expose-headers')).toContain('x-gateway-provider');
    const stranger = await postChat(
      gateway,
      { messages: [{ role: 'user', content: 'hi' }] },
      { headers: { origin: 'https://evil.example' } },
    );
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('standalone configuration', () => {
  it('maps environment variables to provider instances and keys, with a config file on top', () => {
    const options = optionsFromEnvironment(
      {
        GEMINI_API_KEY: 'g-key',
        OPENAI_API_KEY: 'o-key',
        OPENAI_CHAT_BASE_URL: 'https://relay.example/v1',
        OPENAI_CHAT_MODELS: 'gpt-4o-image, nano-banana',
        BFL_API_KEY: 'b-key',
        GATEWAY_API_KEYS: 'sk-one-1234567890,sk-two-1234567890',
      },
      { heartbeatIntervalMs: 5_000 },
    );
    expect(options.providers?.map((provider) => (provider as { type: string }).type)).toEqual(['gemini', 'openai', 'openai-chat', 'flux']);
    expect(options.providers?.[2]).toMatchObject({ apiKey: 'o-key', models: ['gpt-4o-image', 'nano-banana'] });
    expect(options.apiKeys).toEqual(['sk-one-1234567890', 'sk-two-1234567890']);
    expect(options.heartbeatIntervalMs).toBe(5_000);
  });

  it('turns on URL delivery from IMAGE_DELIVERY, PUBLIC_URL and TRUST_PROXY, the config file’s images fields on top', () => {
    const options = optionsFromEnvironment(
      { IMAGE_DELIVERY: 'url', PUBLIC_URL: 'https://images.example.com', TRUST_PROXY: '1' },
      { images: { urlTtlSeconds: 600 } },
    );
    expect(options).toMatchObject({
      publicUrl: 'https://images.example.com',
      trustProxy: true,
      images: { delivery: 'url', urlTtlSeconds: 600 },
    });
    expect(optionsFromEnvironment({ IMAGE_DELIVERY: 'url' }, { images: { delivery: 'inline' } }).images?.delivery).toBe('inline');
  });

  it('serves the local engine alone when nothing is configured', () => {
    expect(optionsFromEnvironment({}, undefined).providers).toEqual([{ type: 'local' }]);
  });
});
