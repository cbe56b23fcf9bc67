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
