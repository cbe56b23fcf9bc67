import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { hugeBlankPng, manyScanJpeg } from '../../bench/lib/hostile-images.js';
import { createImageGateway, type ImageGateway } from '../../src/gateway.js';
import { ImageData } from '../../src/images/image-data.js';
import { createImageOutputEncoder } from '../../src/images/image-output.js';
import type { GatewayLogger } from '../../src/lib/logger.js';
import { type OpenAIChatFake, startOpenAIChatFake } from '../fakes/openai-chat-fake.js';
import { postChat } from '../helpers/gateway-client.js';
import { never } from './image-test-helpers.js';

let fake: OpenAIChatFake | undefined;
let gateway: ImageGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  await fake?.close();
  gateway = undefined;
  fake = undefined;
});

const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><script>alert(1)</script></svg>');
/** Over 64 KiB, so the relay's answer keeps its data URL as lifted bytes, a path of its own. */
const bigSvg = Buffer.concat([svg.subarray(0, svg.length - 6), Buffer.from(`<!--${'x'.repeat(100_000)}--></svg>`)]);
const drawRequest = { model: 'gpt-4o-image', messages: [{ role: 'user', content: 'Draw a cat' }] };

async function relayAnswering(
  imageMode: 'images' | 'markdown' | 'markdown-url',
  bytes: Buffer,
  mediaType: string,
  images: Record<string, unknown> = {},
  logger?: GatewayLogger,
): Promise<ImageGateway> {
  fake = await startOpenAIChatFake({ scenario: 'image', imageMode, imageOverride: { bytes, mediaType } });
  const port = Number(new URL(fake.url).port);
  gateway = createImageGateway({
    providers: [{ type: 'openai-chat', apiKey: 'sk-relay-key-0123456789', baseURL: fake.url, models: ['gpt-4o-image'] }],
    images: { allowHttpUrls: true, allowPrivateNetworks: ['127.0.0.1/32'], allowRemotePorts: [port], ...images },
    logger,
  });
  return gateway;
}

describe('images an upstream answers with', () => {
  it('are not decoded past maxPixels: a relay linking a 16000×16000 PNG gets NO_IMAGE, not 256 MP of sharp', async () => {
    const logged: Record<string, unknown>[] = [];
    const record = (object: Record<string, unknown>) => logged.push(object);
    const logger = { info: record, warn: record, error: record };
    await relayAnswering('markdown-url', hugeBlankPng(16000, 16000), 'image/png', { outputFormat: 'jpeg' }, logger);
    const response = await postChat(gateway!, drawRequest);
    expect(response.status).toBe(502);
    const { error } = await response.json();
    expect(error.code).toBe('NO_IMAGE');
    // The client reads a fixed sentence; why the image was refused is in the log.
    expect(error.message).toContain('could not be downloaded');
    expect(JSON.stringify(logged)).toContain('16000×16000 = 256000000 pixels; the limit is 40000000 (images.maxPixels)');
  });

  it.each([
    ['images', 'image/svg+xml'],
    ['images', 'image/png'],
    ['markdown', 'image/svg+xml'],
    ['markdown-url', 'image/svg+xml'],
    ['markdown-url', 'image/png'],
    ['images', 'image/svg+xml', bigSvg],
    ['images', 'image/png', bigSvg],
    ['markdown', 'image/svg+xml', bigSvg],
  ] as const)('never hand a client an SVG (%s, labelled %s)', async (imageMode, mediaType, bytes: Buffer = svg) => {
    await relayAnswering(imageMode, bytes, mediaType);
    const response = await postChat(gateway!, drawRequest);
    const text = await response.text();
    expect(text).not.toContain('data:image/svg');
    expect(text).not.toContain(Buffer.from(svg).toString('base64').slice(0, 40));
    expect(response.status).toBe(502);
    expect(JSON.parse(text).error.code).toBe('NO_IMAGE');
  });
});

describe('a Gemini answer', () => {
  it('whose inlineData is an SVG is NO_IMAGE, whatever its mimeType says', async () => {
    const server = createServer((request, response) => {
      request.resume();
      const answer = {
        candidates: [
          {
            content: { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: svg.toString('base64') } }] },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1290, totalTokenCount: 1295 },
      };
      const stream = request.url?.includes('streamGenerateContent');
      response.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
      response.end(stream ? `data: ${JSON.stringify(answer)}\r\n\r\n` : JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      gateway = createImageGateway({ providers: [{ type: 'gemini', apiKey: 'gemini-key-0123456789', baseURL }] });
      const response = await postChat(gateway, {
        model: 'gemini-2.5-flash-image',
        messages: [{ role: 'user', content: 'Draw a cat' }],
      });
      const text = await response.text();
      expect(response.status).toBe(502);
      expect(JSON.parse(text).error.code).toBe('NO_IMAGE');
      expect(text).not.toContain(svg.toString('base64').slice(0, 40));
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('output re-encoding', () => {
  it('passes an image over maxPixels through without decoding it', async () => {
    const encode = createImageOutputEncoder({ outputFormat: 'jpeg' });
    const huge = ImageData.fromBytes(hugeBlankPng(16000, 16000), 'image/png');
    const started = performance.now();
    const out = await encode(huge, never);
    expect(out).toBe(huge);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('passes a JPEG of too many scans through without decoding it', async () => {
    const encode = createImageOutputEncoder({ outputFormat: 'png' });
    const hostile = ImageData.fromBytes(manyScanJpeg(2048, 2048, 883), 'image/jpeg');
    expect(await encode(hostile, never)).toBe(hostile);
  });
});
