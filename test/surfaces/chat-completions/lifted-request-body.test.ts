import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from '../../../adapters/node.js';
import { createImageGateway, type ImageGateway } from '../../../src/gateway.js';
import { type OpenAIChatFake, startOpenAIChatFake } from '../../fakes/openai-chat-fake.js';
import { postChat } from '../../helpers/gateway-client.js';
import { dataUrl, noisyJpeg } from '../../images/image-test-helpers.js';

/**
 * Request bodies with image data URLs of 64 KiB and more are read with the
 * URLs lifted out as bytes (read-json-body.ts). Seen from a client over
 * HTTP, nothing may differ: the relay gets the same images, and bad input
 * gets the same errors as the same request with a short image.
 */
let relay: OpenAIChatFake;
let gateway: ImageGateway;
let server: Server;
let url: string;
let bigUrl: string;
let smallUrl: string;

beforeAll(async () => {
  relay = await startOpenAIChatFake();
  gateway = createImageGateway({ providers: [{ type: 'openai-chat', baseURL: relay.url, models: ['edit-image'] }] });
  server = createServer({ gateway });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
  bigUrl = dataUrl(await noisyJpeg(640, 480), 'image/jpeg');
  smallUrl = dataUrl(await noisyJpeg(32, 32), 'image/jpeg');
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await gateway.close();
  await relay.close();
});
beforeEach(() => {
  relay.requests.length = 0;
});

const post = (body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
const edit = (parts: unknown[]) => ({
  model: 'edit-image',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Make it more vibrant' }, ...parts] }],
});

/** The image URLs of the last message the relay received. */
function relayedImages(): string[] {
  const parts: { type: string; image_url?: { url: string } }[] = relay.requests[0]!.json.messages.at(-1).content;
  return parts.filter((part) => part.type === 'image_url').map((part) => part.image_url!.url);
}

describe('a request body with big image data URLs', () => {
  it('is big enough to be lifted', () => {
    expect(bigUrl.length).toBeGreaterThan(64 * 1024);
  });

  it('passes a clean JPEG on byte for byte, given as image_url.url and as a bare image_url string', async () => {
    const response = await post(
      JSON.stringify(
        edit([
          { type: 'image_url', image_url: { url: bigUrl } },
          { type: 'image_url', image_url: bigUrl },
        ]),
      ),
    );
    expect(response.status).toBe(200);
    await response.json();
    expect(relayedImages()).toEqual([bigUrl, bigUrl]);
  });

  it('reads the same through gateway.fetch, whose body arrives as Web stream chunks', async () => {
    const response = await postChat(gateway, edit([{ type: 'image_url', image_url: { url: bigUrl } }]));
    expect(response.status).toBe(200);
    await response.json();
    expect(relayedImages()).toEqual([bigUrl]);
  });

  it('edits the image of an earlier assistant turn sent back in images[]', async () => {
    const body = {
      model: 'edit-image',
      messages: [
        { role: 'user', content: 'Draw a field of static' },
        { role: 'assistant', content: 'Here it is.', images: [{ type: 'image_url', image_url: { url: bigUrl } }] },
        { role: 'user', content: 'Make it brighter' },
      ],
    };
    const response = await post(JSON.stringify(body));
    expect(response.status).toBe(200);
    await response.json();
    expect(relayedImages()).toEqual([bigUrl]);
  });

  it('drops a byte-order mark before the JSON, as a short body does', async () => {
    const response = await post(`\ufeff${JSON.stringify(edit([{ type: 'image_url', image_url: { url: bigUrl } }]))}`);
    expect(response.status).toBe(200);
    await response.json();
    expect(relayedImages()).toEqual([bigUrl]);
  });

  it("answers invalid JSON after the image with JSON.parse's own message for the text sent", async () => {
    const text = `${JSON.stringify(edit([{ type: 'image_url', image_url: { url: bigUrl } }])).slice(0, -1)},}`;
    const parseMessage = (() => {
      try {
        JSON.parse(text);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const response = await post(text);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { message: `The request body is not valid JSON: ${parseMessage}.`, type: 'invalid_request_error', code: 'invalid_json' },
    });
  });

  it('answers a big body of nothing but whitespace as empty', async () => {
    const response = await post(' '.repeat(70_000));
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toBe('The request body is empty; send a JSON object.');
  });

  it('names the position of a character that is not base64, deep inside the data', async () => {
    const comma = bigUrl.indexOf(',');
    const broken = `${bigUrl.slice(0, comma + 70_001)}*${bigUrl.slice(comma + 70_002)}`;
    const response = await post(JSON.stringify(edit([{ type: 'image_url', image_url: { url: broken } }])));
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      '{"error":{"message":"Image at messages[0].content[1].image_url.url (message 0, part 1) is not valid base64: character \\"*\\" at position 70000 of the data.","type":"invalid_request_error","param":"messages[0].content[1].image_url.url","code":"invalid_image_data"}}',
    );
  });

  const badRequests: Record<string, (image: string) => unknown> = {
    'an unknown detail': (image) => edit([{ type: 'image_url', image_url: { url: image, detail: 'ultra' } }]),
    'a text part whose text is a number': (image) => edit([{ type: 'text', text: 5, image_url: image }]),
    'an unknown role': (image) => ({
      model: 'edit-image',
      messages: [{ role: 'robot', content: [{ type: 'image_url', image_url: image }] }],
    }),
    'an unsupported part type': (image) => edit([{ type: 'input_image', image_url: { url: image } }]),
    'an images[] entry without image_url': (image) => ({
      model: 'edit-image',
      messages: [
        { role: 'assistant', content: 'Here', images: [{ type: 'image_url', url: image }] },
        { role: 'user', content: 'Make it brighter' },
      ],
    }),
    'a url beside a url that is not a string': (image) =>
      edit([
        { type: 'image_url', image_url: { url: image } },
        { type: 'image_url', image_url: { url: 5 } },
      ]),
    'too many images': (image) => edit(Array.from({ length: 6 }, () => ({ type: 'image_url', image_url: { url: image } }))),
  };

  it.each(Object.keys(badRequests))('answers %s exactly as the same request with a short image', async (name) => {
    const build = badRequests[name]!;
    const [big, small] = await Promise.all([post(JSON.stringify(build(bigUrl))), post(JSON.stringify(build(smallUrl)))]);
    const smallText = await small.text();
    expect(small.status).toBe(400);
    expect([big.status, await big.text()]).toEqual([small.status, smallText]);
  });
});
