import OpenAI from 'openai';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createServer } from '../../../adapters/node.js';
import { createConversionQueue } from '../../../src/images/image-conversion-queue.js';
import { maxEditSteps, parseInstructions } from '../../../src/providers/local/local-instructions.js';
import { createLocalProvider } from '../../../src/providers/local/local-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';
import { listen } from '../../adapters/adapter-test-helpers.js';
import { collect, imagesOf } from '../generation-request-fixture.js';
import { buildRequest, sampleImage } from './local-test-helpers.js';

async function pngDataUrl(): Promise<string> {
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

describe('local engine limits', () => {
  it('reads "dim " × 31 000 in a few milliseconds: instruction parsing is linear', () => {
    const text = 'dim '.repeat(31_000);
    const started = performance.now();
    const operations = parseInstructions(text);
    const elapsed = performance.now() - started;
    expect(operations.length).toBe(maxEditSteps + 1);
    expect(elapsed).toBeLessThan(25);
  });

  it('refuses more than 16 edit steps with a 400 naming the cap, before any sharp work', async () => {
    const sdk = new OpenAI({ apiKey: 'unused-key-0123456789', baseURL: `${await listen(createServer())}/v1`, maxRetries: 0 });
    const url = await pngDataUrl();
    const error = await sdk.chat.completions
      .create({
        model: 'local-image',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'dim '.repeat(31_000) },
              { type: 'image_url', image_url: { url } },
            ],
          },
        ],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const body = (error as InstanceType<typeof OpenAI.APIError>).error as { message: string; code: string; param: string };
    expect(body).toMatchObject({ code: 'too_many_edit_steps', param: 'messages' });
    expect(body.message).toContain('at most 16');
  });

  it('applies 16 steps', async () => {
    const events = await collect(
      createLocalProvider({ type: 'local' }).generate(
        buildRequest({ prompt: 'dim '.repeat(16), inputImages: [await sampleImage(64, 48)], wantsImage: false }),
        new AbortController().signal,
      ),
    );
    expect(imagesOf(events)).toHaveLength(1);
  });

  it("runs every sharp pipeline through the gateway's conversion queue", async () => {
    const queue = createConversionQueue(1);
    let ran = 0;
    const conversions = {
      run: <T>(task: () => Promise<T>, signal: AbortSignal) => {
        ran += 1;
        return queue.run(task, signal);
      },
    };
    const provider = createLocalProvider({ type: 'local' }, defaultProviderContext({ conversions: conversions as never }));
    await collect(provider.generate(buildRequest({ size: { width: 64, height: 64 } }), new AbortController().signal));
    expect(ran).toBe(1);
    ran = 0;
    const inputs = [await sampleImage(64, 48), await sampleImage(32, 48)];
    await collect(
      provider.generate(
        buildRequest({ prompt: 'grayscale, then rotate 90', inputImages: inputs, wantsImage: false }),
        new AbortController().signal,
      ),
    );
    // Two decodes, the side-by-side strip, two steps and the encoding.
    expect(ran).toBe(6);
  });

  it('decodes large inputs straight to their share of a 4096-pixel strip', async () => {
    const big = await sharp({ create: { width: 6000, height: 4000, channels: 3, background: '#204080' } })
      .jpeg()
      .toBuffer();
    const { ImageData } = await import('../../../src/images/image-data.js');
    const inputs = Array.from({ length: 3 }, () => ImageData.fromBytes(big, 'image/jpeg'));
    const sizes: number[] = [];
    const conversions = {
      run: async <T>(task: () => Promise<T>) => {
        const result = await task();
        const info = (result as { info?: { width: number; height: number } }).info;
        if (info) sizes.push(info.width * info.height);
        return result;
      },
    };
    const provider = createLocalProvider({ type: 'local' }, defaultProviderContext({ conversions: conversions as never }));
    await collect(
      provider.generate(buildRequest({ prompt: 'grayscale', inputImages: inputs, wantsImage: false }), new AbortController().signal),
    );
    // Every pipeline's result fits a 4096-pixel strip: no full 24 MP decode.
    expect(sizes.length).toBe(6);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4096 * 4096);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4096 * 910);
  });
});
