import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../src/index.js';
import { postChat } from '../helpers/gateway-client.js';
import { createScriptedProvider } from '../helpers/scripted-provider.js';

let gateway: ImageGateway;
afterEach(async () => {
  await gateway?.close();
});

describe('image intent read from the text', () => {
  it.each([
    ['画一只猫', true],
    ['can you make a poster of Paris at night', true],
    ['a picture of a lighthouse', true],
    ['What is the capital of France?', false],
  ])('"%s" asks for an image: %s (what a provider receives as wantsImage)', async (prompt, expected) => {
    const scripted = createScriptedProvider({ id: 'seen', auto: () => 'succeed' });
    let wantsImage: boolean | undefined;
    const generate = scripted.provider.generate.bind(scripted.provider);
    scripted.provider.generate = (request, signal) => {
      wantsImage = request.wantsImage;
      return generate(request, signal);
    };
    gateway = createImageGateway({ providers: [scripted.provider] });
    expect((await postChat(gateway, { model: 'scripted-image', messages: [{ role: 'user', content: prompt }] })).status).toBe(200);
    expect(wantsImage).toBe(expected);
  });
});

describe('an image is required only on strong signals', () => {
  it.each([
    // An image model the client names is hinted to draw these (its own rule); a text answer is still fine.
    ['How do I create a Docker image?', undefined, true, false],
    ['How do I make an icon in Figma?', undefined, true, false],
    ['Can you generate a list of image formats?', undefined, true, false],
    ['draw a red cat', ['image', 'text'], true, true],
    ['What is the capital of France?', ['image', 'text'], true, false],
    ['can you draw a cat?', undefined, true, true],
    ['a picture of a lighthouse', undefined, true, true],
    ['hello', ['image'], true, true],
  ])('"%s" with modalities %j: wantsImage %s, imageRequired %s', async (prompt, modalities, wants, required) => {
    const scripted = createScriptedProvider({ id: 'seen', auto: () => 'succeed' });
    let seen: { wantsImage: boolean; imageRequired?: boolean } | undefined;
    const generate = scripted.provider.generate.bind(scripted.provider);
    scripted.provider.generate = (request, signal) => {
      seen = { wantsImage: request.wantsImage, imageRequired: request.imageRequired };
      return generate(request, signal);
    };
    gateway = createImageGateway({ providers: [scripted.provider] });
    await postChat(gateway, { model: 'scripted-image', modalities, messages: [{ role: 'user', content: prompt }] });
    expect(seen).toEqual({ wantsImage: wants, imageRequired: required });
  });
});
