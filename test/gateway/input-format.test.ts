import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../src/index.js';
import { pngDataUrl, postChat } from '../helpers/gateway-client.js';
import { createScriptedProvider } from '../helpers/scripted-provider.js';

let gateway: ImageGateway;
afterEach(async () => {
  await gateway?.close();
});

async function mediaTypeSeenBy(providerOptions: { inputFormat?: 'jpeg' | 'original' }, images: { convertToJpeg?: boolean } = {}) {
  const scripted = createScriptedProvider({ id: 'seen', auto: () => 'succeed' });
  const provider = Object.assign(scripted.provider, providerOptions);
  gateway = createImageGateway({ providers: [provider], images });
  let seen: string | undefined;
  const original = provider.generate.bind(provider);
  provider.generate = (request, signal) => {
    seen = request.inputImages[0]?.mediaType;
    return original(request, signal);
  };
  const input = await pngDataUrl(64, 64);
  const response = await postChat(gateway, {
    model: 'scripted-image',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'make it brighter' },
          { type: 'image_url', image_url: { url: input } },
        ],
      },
    ],
  });
  expect(response.status).toBe(200);
  await gateway.close();
  return seen;
}

describe('input image format per provider', () => {
  it('converts inputs to JPEG by default (seed 000)', async () => {
    expect(await mediaTypeSeenBy({})).toBe('image/jpeg');
  });

  it('keeps the original PNG for a provider whose inputFormat is original', async () => {
    expect(await mediaTypeSeenBy({ inputFormat: 'original' })).toBe('image/png');
  });

  it('keeps originals when images.convertToJpeg is off, unless the provider asks for JPEG', async () => {
    expect(await mediaTypeSeenBy({}, { convertToJpeg: false })).toBe('image/png');
    expect(await mediaTypeSeenBy({ inputFormat: 'jpeg' }, { convertToJpeg: false })).toBe('image/jpeg');
  });
});
