/**
 * Big relay images through the whole gateway and a real Node server: the
 * image's base64 goes from the upstream's bytes to the client's without
 * being parsed or re-encoded, so what the client gets must be exactly what
 * the upstream sent, in every placement, streamed or not, however the
 * upstream cut its answer into TCP writes.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../../adapters/node.js';
import { createImageGateway } from '../../../src/gateway.js';
import { createOpenAIChatProvider } from '../../../src/providers/openai-chat/openai-chat-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';
import { closeServer, listen } from '../../adapters/adapter-test-helpers.js';
import { dataChunks, parseSse, postChat } from '../../helpers/gateway-client.js';
import { collect, generationRequest, imagesOf } from '../generation-request-fixture.js';

interface UpstreamAnswer {
  /** The data URL exactly as it appears in the upstream's JSON (may hold escapes). */
  urlJson: string;
  stream: boolean;
  /** Cut the answer off after this many bytes. */
  cutAt?: number;
  /** Put the image as markdown inside `content` (a string with escapes around it) rather than in `images`. */
  inContent?: boolean;
}

let upstream: Server;
let upstreamUrl = '';
let answer: UpstreamAnswer;
let bigDataUrl = '';

/** Writes `text` in uneven small pieces, the way a slow network would deliver it. */
async function dribble(response: import('node:http').ServerResponse, text: string): Promise<void> {
  const sizes = [1, 7, 1000, 3, 65_536, 13, 4096];
  let offset = 0;
  for (let index = 0; offset < text.length; index++) {
    const size = sizes[index % sizes.length] as number;
    if (!response.write(text.slice(offset, offset + size))) await new Promise((resolve) => response.once('drain', resolve));
    offset += size;
  }
}

function completionJson(urlJson: string, inContent = false): string {
  const message = inContent
    ? `"content":"Here it is: \\"data:\\" {[\\\\\\n\\n![cat](${urlJson}) and after"`
    : `"content":"Here it is: \\"data:\\" {[\\\\","images":[{"type":"image_url","image_url":{"url":"${urlJson}"}}]`;
  return `{"id":"chatcmpl-big","object":"chat.completion","created":1,"model":"big","choices":[{"index":0,"message":{"role":"assistant",${message}},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}`;
}

function streamText(urlJson: string, inContent = false): string {
  const chunk = (choice: string) =>
    `data: {"id":"chatcmpl-big","object":"chat.completion.chunk","created":1,"model":"big","choices":[${choice}]}\n\n`;
  const delta = (content: string) => chunk(`{"index":0,"delta":{"content":"${content}"},"finish_reason":null}`);
  // The image's markdown split over two deltas: the first long enough for its base64 to be lifted, the second not.
  const image = inContent
    ? delta(`![cat](${urlJson.slice(0, 150_000)}`) + delta(`${urlJson.slice(150_000)}) and after`)
    : chunk(`{"index":0,"delta":{"images":[{"type":"image_url","image_url":{"url":"${urlJson}"}}]},"finish_reason":null}`);
  return (
    chunk('{"index":0,"delta":{"role":"assistant","content":"Here: "},"finish_reason":null}') +
    image +
    chunk('{"index":0,"delta":{},"finish_reason":"stop"}') +
    'data: [DONE]\n\n'
  );
}

beforeAll(async () => {
  // Noise compresses badly: about 400 KB of base64, well above what the reader lifts (64 KiB).
  const noise = await sharp({
    create: { width: 300, height: 300, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
  })
    .png()
    .toBuffer();
  bigDataUrl = `data:image/png;base64,${noise.toString('base64')}`;
  upstream = createHttpServer((request, response) => {
    request.resume();
    request.on('end', async () => {
      const text = answer.stream ? streamText(answer.urlJson, answer.inContent) : completionJson(answer.urlJson, answer.inContent);
      response.writeHead(200, { 'content-type': answer.stream ? 'text/event-stream' : 'application/json' });
      if (answer.cutAt !== undefined) {
        await dribble(response, text.slice(0, answer.cutAt));
        response.destroy();
        return;
      }
      await dribble(response, text);
      response.end();
    });
  });
  upstreamUrl = await new Promise<string>((resolve) =>
    upstream.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(upstream.address() as import('node:net').AddressInfo).port}`)),
  );
});
afterAll(() => closeServer(upstream));

async function ask(placement: 'markdown' | 'images' | 'both', stream: boolean) {
  const server = createServer({
    providers: [{ type: 'openai-chat', baseURL: upstreamUrl, models: ['big-image'] }],
    imageOutput: placement,
    routing: { maxAttempts: 1 },
  });
  const url = await listen(server);
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'big-image', stream, messages: [{ role: 'user', content: 'Draw noise' }] }),
  });
  const text = await response.text();
  return { status: response.status, text, close: () => server.close() };
}

/** Asks the provider itself for the current answer and checks its image is the upstream's bytes, in views, never a string. */
async function expectImageKeptAsReceived(stream: boolean) {
  const provider = createOpenAIChatProvider({ type: 'openai-chat', baseURL: upstreamUrl, models: ['big-image'] }, defaultProviderContext());
  const events = await collect(provider.generate(generationRequest({ model: 'big-image', stream }), new AbortController().signal));
  const [image] = imagesOf(events);
  const parts = image?.base64Parts() ?? [];
  expect(parts.length).toBeGreaterThan(1);
  expect(parts.every((part) => part instanceof Uint8Array)).toBe(true);
  expect(`data:${image?.mediaType};base64,${Buffer.concat(parts as Uint8Array[]).toString('latin1')}`).toBe(bigDataUrl);
  return image;
}

/** Every image URL a client finds in a JSON answer or in the chunks of a stream. */
function imageUrls(text: string, stream: boolean): string[] {
  const messages = stream
    ? dataChunks(parseSse(text)).map((chunk) => chunk.choices[0]?.delta ?? {})
    : [JSON.parse(text).choices[0].message];
  const urls: string[] = [];
  for (const message of messages) {
    for (const match of String(message.content ?? '').matchAll(/!\[generated\]\(([^)]+)\)/g)) urls.push(match[1] as string);
    for (const entry of message.images ?? []) urls.push(entry.image_url.url);
  }
  return urls;
}

describe('openai-chat: big images through a Node server', () => {
  it.each([
    ['markdown', false, 1],
    ['images', false, 1],
    ['both', false, 2],
    ['markdown', true, 1],
    ['images', true, 1],
    ['both', true, 2],
  ] as const)('passes a 400 KB image through byte for byte (placement %s, stream %s)', async (placement, stream, count) => {
    answer = { urlJson: bigDataUrl, stream };
    const result = await ask(placement, stream);
    try {
      expect(result.status).toBe(200);
      const urls = imageUrls(result.text, stream);
      expect(urls).toHaveLength(count);
      for (const url of urls) expect(url === bigDataUrl, 'the image URL should be the upstream one, byte for byte').toBe(true);
      if (!stream) expect(JSON.parse(result.text).choices[0].message.content).toMatch(/^Here it is: "data:" \{\[\\/);
      else expect(result.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    } finally {
      await result.close();
    }
  });

  it.each([false, true])('keeps the image as the received bytes, never a string (stream %s)', async (stream) => {
    answer = { urlJson: bigDataUrl, stream };
    await expectImageKeptAsReceived(stream);
  });

  it('answers the same bytes through gateway.fetch, where the body is a web stream of the pieces', async () => {
    answer = { urlJson: bigDataUrl, stream: false };
    const gateway = createImageGateway({
      providers: [{ type: 'openai-chat', baseURL: upstreamUrl, models: ['big-image'] }],
      imageOutput: 'both',
    });
    try {
      const response = await postChat(gateway, { model: 'big-image', messages: [{ role: 'user', content: 'Draw noise' }] });
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(imageUrls(text, false).every((url) => url === bigDataUrl)).toBe(true);
      expect(imageUrls(text, false)).toHaveLength(2);
    } finally {
      await gateway.close();
    }
  });

  it('decodes a data URL whose base64 the upstream wrapped with escaped line breaks, and answers valid JSON', async () => {
    const wrapped = bigDataUrl.replace(/(.{76})/g, '$1\\n');
    for (const stream of [false, true]) {
      answer = { urlJson: wrapped, stream };
      const result = await ask('images', stream);
      try {
        expect(result.status).toBe(200);
        const [url] = imageUrls(result.text, stream);
        expect(url?.replaceAll('\n', '')).toBe(bigDataUrl);
      } finally {
        await result.close();
      }
    }
  });

  it.each([false, true])(
    'fails cleanly, without sending a partial image, when the upstream cuts off inside the image (stream %s)',
    async (stream) => {
      const whole = stream ? streamText(bigDataUrl) : completionJson(bigDataUrl);
      answer = { urlJson: bigDataUrl, stream, cutAt: Math.floor(whole.length / 2) };
      const result = await ask('images', stream);
      try {
        if (stream) {
          expect(result.status).toBe(200);
          const items = parseSse(result.text).filter((item) => item.kind === 'data');
          expect(items.at(-1)?.value).toBe('[DONE]');
          expect(JSON.parse(items.at(-2)?.value ?? '{}').error).toBeDefined();
        } else {
          expect(result.status).toBeGreaterThanOrEqual(500);
          expect(JSON.parse(result.text).error).toBeDefined();
        }
        expect(result.text).not.toContain(bigDataUrl.slice(0, 200));
      } finally {
        await result.close();
      }
    },
  );

  describe('images as markdown in the upstream content', () => {
    it.each([
      ['markdown', false],
      ['images', false],
      ['markdown', true],
      ['images', true],
    ] as const)(
      'passes the image through byte for byte and keeps the text around it (placement %s, stream %s)',
      async (placement, stream) => {
        answer = { urlJson: bigDataUrl, stream, inContent: true };
        const result = await ask(placement, stream);
        try {
          expect(result.status).toBe(200);
          const urls = imageUrls(result.text, stream);
          expect(urls).toHaveLength(1);
          expect(urls[0] === bigDataUrl, 'the image URL should be the upstream one, byte for byte').toBe(true);
          const text = stream
            ? dataChunks(parseSse(result.text))
                .map((chunk) => chunk.choices[0]?.delta?.content ?? '')
                .join('')
            : JSON.parse(result.text).choices[0].message.content;
          expect(text).toContain(stream ? 'Here: ' : 'Here it is: "data:" {[\\\n\n');
          expect(text).toContain(' and after');
          expect(text).not.toContain('lifted:');
        } finally {
          await result.close();
        }
      },
    );

    it.each([false, true])('keeps the image as the received bytes, never a string (stream %s)', async (stream) => {
      answer = { urlJson: bigDataUrl, stream, inContent: true };
      const image = await expectImageKeptAsReceived(stream);
      const decoded = await sharp(await image?.bytes()).metadata();
      expect([decoded.width, decoded.height]).toEqual([300, 300]);
    });

    it('gives back as text, unchanged, a long data URL that is not a markdown image', async () => {
      answer = { urlJson: `see [not an image](${bigDataUrl}) or ${bigDataUrl}`, stream: false, inContent: true };
      const provider = createOpenAIChatProvider(
        { type: 'openai-chat', baseURL: upstreamUrl, models: ['big-image'] },
        defaultProviderContext(),
      );
      const events = await collect(provider.generate(generationRequest({ model: 'big-image' }), new AbortController().signal));
      expect(imagesOf(events)).toHaveLength(0);
      const text = events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
      expect(text).toBe(`Here it is: "data:" {[\\\n\n![cat](see [not an image](${bigDataUrl}) or ${bigDataUrl}) and after`);
    });
  });
});
