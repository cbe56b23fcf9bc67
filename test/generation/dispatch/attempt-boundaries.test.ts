import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createImageGateway, ImageData, type ImageGateway, type ImageProvider } from '../../../src/index.js';
import { imageModelCapabilities } from '../../../src/providers/shared/model-catalog.js';
import { dataChunks, parseSse, postChat } from '../../helpers/gateway-client.js';

/**
 * An attempt that times out while the gateway is still re-encoding its image
 * (images.outputFormat) must end before the next attempt starts: its image
 * belongs to it, not to the answer the next instance gives.
 */
let gateway: ImageGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const model = { id: 'm', capabilities: { ...imageModelCapabilities, text: true } };
let noise: ImageData;
beforeAll(async () => {
  const side = 1200;
  const raw = Buffer.alloc(side * side * 3);
  for (let index = 0; index < raw.length; index++) raw[index] = (index * 2654435761) >>> 24;
  // Re-encoding this to WebP takes far longer than the 20 ms the first provider has.
  noise = ImageData.fromBytes(
    await sharp(raw, { raw: { width: side, height: side, channels: 3 } })
      .png()
      .toBuffer(),
    'image/png',
  );
});

function providers(): ImageProvider[] {
  const slow: ImageProvider = {
    id: 'a',
    type: 'custom',
    concurrency: 1,
    timeoutMs: 20,
    models: [model],
    async *generate() {
      yield { type: 'image', image: noise };
      await new Promise(() => {});
    },
  };
  const fallback: ImageProvider = {
    id: 'b',
    type: 'custom',
    concurrency: 1,
    timeoutMs: 60_000,
    models: [model],
    async *generate() {
      // Long enough for the first attempt's image to finish re-encoding while this one runs.
      await new Promise((resolve) => setTimeout(resolve, 800));
      yield { type: 'text-delta', text: 'from B' };
      yield { type: 'finish', reason: 'stop' };
    },
  };
  return [slow, fallback];
}

describe('the boundary between two attempts', () => {
  it('keeps a timed-out attempt’s image out of the answer the next instance gives', async () => {
    gateway = createImageGateway({ providers: providers(), images: { outputFormat: 'webp' }, routing: { maxAttempts: 2 } });
    // Round robin: the second request starts on "a" if the first did not.
    for (let round = 0; round < 2; round++) {
      // A question, not a drawing: B's text-only answer is a whole answer (a drawing request would make it NO_IMAGE).
      const response = await postChat(gateway, { model: 'm', messages: [{ role: 'user', content: 'what do cats eat?' }] });
      expect(response.status).toBe(200);
      const message = (await response.json()).choices[0].message;
      expect(message.content).toBe('from B');
      expect(message.images).toBeUndefined();
    }
  });

  it('does not fall back after a stream sent the timed-out attempt’s image: it ends with an error event and [DONE]', async () => {
    gateway = createImageGateway({ providers: providers(), images: { outputFormat: 'webp' }, routing: { maxAttempts: 2 } });
    const texts: string[] = [];
    for (let round = 0; round < 2; round++) {
      const response = await postChat(gateway, { model: 'm', stream: true, messages: [{ role: 'user', content: 'draw a cat' }] });
      texts.push(await response.text());
    }
    const startedOnA = texts.find((text) => text.includes('![generated](data:image/webp'));
    expect(startedOnA).toBeDefined();
    const items = parseSse(startedOnA as string);
    expect(startedOnA).not.toContain('served-by provider=b');
    expect(startedOnA).not.toContain('from B');
    expect(dataChunks(items).at(-1)).toMatchObject({ error: { code: 'GENERATION_TIMEOUT' } });
    expect(items.at(-1)).toEqual({ kind: 'data', value: '[DONE]' });
  });
});
