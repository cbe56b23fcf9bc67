import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../../src/gateway.js';
import { type OpenAIChatFake, startOpenAIChatFake } from '../../fakes/openai-chat-fake.js';
import { postChat } from '../../helpers/gateway-client.js';
import { dataUrl, noisyJpeg, twoToneImage } from '../image-test-helpers.js';

let relay: OpenAIChatFake;
let gateway: ImageGateway;

beforeAll(async () => {
  relay = await startOpenAIChatFake();
  gateway = createImageGateway({ providers: [{ type: 'openai-chat', baseURL: relay.url, models: ['edit-image'] }] });
});
afterAll(async () => {
  await gateway.close();
  await relay.close();
});
beforeEach(() => {
  relay.requests.length = 0;
});

/** Sends one edit with `urls` as its images and returns the image URLs the relay received. */
async function imagesTheRelaySaw(urls: string[]): Promise<string[]> {
  const content = [{ type: 'text', text: 'Make these more vibrant' }, ...urls.map((url) => ({ type: 'image_url', image_url: { url } }))];
  const response = await postChat(gateway, { model: 'edit-image', messages: [{ role: 'user', content }] });
  expect(response.status).toBe(200);
  await response.json();
  const parts: { type: string; image_url?: { url: string } }[] = relay.requests[0]!.json.messages.at(-1).content;
  return parts.filter((part) => part.type === 'image_url').map((part) => part.image_url!.url);
}

describe('input images on their way to a relay', () => {
  it('sends a clean JPEG byte for byte, and converts the PNG and the JPEG with EXIF beside it', async () => {
    const clean = await noisyJpeg(320, 240);
    const png = await twoToneImage('png', 64, 32);
    const withExif = await sharp(await noisyJpeg(320, 240))
      .withMetadata({ orientation: 6, exif: { IFD0: { Copyright: 'secret' } } })
      .jpeg()
      .toBuffer();
    const [sentClean, sentPng, sentExif] = await imagesTheRelaySaw([
      dataUrl(clean, 'image/jpeg'),
      dataUrl(png),
      dataUrl(withExif, 'image/jpeg'),
    ]);

    expect(sentClean).toBe(dataUrl(clean, 'image/jpeg'));
    expect(sentPng).toMatch(/^data:image\/jpeg;base64,/);
    const exifOut = Buffer.from(sentExif!.slice(sentExif!.indexOf(',') + 1), 'base64');
    const metadata = await sharp(exifOut).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 240, height: 320 });
    expect(metadata.exif).toBeUndefined();
  });

  it('answers 400 for a clean-looking JPEG that is cut short, naming the part', async () => {
    const clean = await noisyJpeg(320, 240);
    const content = [
      { type: 'text', text: 'Make it more vibrant' },
      { type: 'image_url', image_url: { url: dataUrl(clean.subarray(0, clean.length - 200), 'image/jpeg') } },
    ];
    const response = await postChat(gateway, { model: 'edit-image', messages: [{ role: 'user', content }] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'unsupported_image_format', param: 'messages[0].content[1].image_url.url' },
    });
    expect(relay.requests).toHaveLength(0);
  });
});
