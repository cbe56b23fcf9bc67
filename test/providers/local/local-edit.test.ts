import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { ImageData } from '../../../src/images/image-data.js';
import { imagesOf, textOf } from '../generation-request-fixture.js';
import { buildRequest, channelMeans, decode, generate, meanSpread, pixelDifference, sampleImage } from './local-test-helpers.js';

async function editOnce(prompt: string, overrides: Parameters<typeof buildRequest>[0] = {}) {
  const inputImages = overrides.inputImages ?? [await sampleImage()];
  const events = await generate(buildRequest({ prompt, wantsImage: false, ...overrides, inputImages }));
  const [image] = imagesOf(events);
  if (!image) throw new Error(`no image for "${prompt}"`);
  return { events, image, note: textOf(events) };
}

describe('local provider: image-to-image', () => {
  it('grayscale makes every pixel gray (equal channels)', async () => {
    expect(await meanSpread(await sampleImage())).toBeGreaterThan(100);
    const { image, note } = await editOnce('make it black and white');
    expect(await decode(image)).toMatchObject({ format: 'jpeg', width: 320, height: 200 });
    expect(await meanSpread(image)).toBeLessThan(2);
    expect(note).toBe('Applied: grayscale.\n\n');
  });

  it('a red theme makes red dominate', async () => {
    const before = await channelMeans(await sampleImage());
    expect(before.red).toBeLessThan(before.blue + 5);
    const { image } = await editOnce('Change the theme color to red');
    const means = await channelMeans(image);
    expect(means.red).toBeGreaterThan(means.green + 20);
    expect(means.red).toBeGreaterThan(means.blue + 20);
  });

  it('"make it blue" tints blue', async () => {
    const means = await channelMeans((await editOnce('make it blue')).image);
    expect(means.blue).toBeGreaterThan(means.red + 20);
  });

  it('rotate 90 degrees swaps width and height', async () => {
    const { image } = await editOnce('rotate 90 degrees');
    expect(await decode(image)).toMatchObject({ format: 'jpeg', width: 200, height: 320 });
  });

  it('crop to 16:9 keeps the largest centred 16:9 area', async () => {
    const { image } = await editOnce('crop to 16:9', { inputImages: [await sampleImage(400, 400)] });
    expect(await decode(image)).toMatchObject({ width: 400, height: 225 });
  });

  it('crops to request.aspectRatio and resizes to request.size', async () => {
    const cropped = await editOnce('make it more vibrant', { aspectRatio: '1:1' });
    expect(await decode(cropped.image)).toMatchObject({ width: 200, height: 200 });
    const resized = await editOnce('sharpen', { size: { width: 128, height: 96 } });
    expect(await decode(resized.image)).toMatchObject({ width: 128, height: 96 });
  });

  it('puts two inputs side by side at the same height', async () => {
    const { image, events } = await editOnce('combine these', { inputImages: [await sampleImage(300, 200), await sampleImage(120, 200)] });
    expect(await decode(image)).toMatchObject({ width: 420, height: 200 });
    expect(textOf(events, 'reasoning-delta')).toContain('Combining 2 images');
  });

  it('scales a taller input down to the shorter one before combining', async () => {
    const { image } = await editOnce('invert', { inputImages: [await sampleImage(300, 200), await sampleImage(200, 400)] });
    expect(await decode(image)).toMatchObject({ width: 400, height: 200 });
  });

  it('an instruction it does not know returns the image unchanged with a note listing what it knows', async () => {
    const input = await sampleImage();
    const { image, note } = await editOnce('add a wizard hat to the cat', { inputImages: [input] });
    expect(await decode(image)).toMatchObject({ width: 320, height: 200 });
    // Only JPEG re-encoding noise: any real edit moves pixels by far more.
    expect(await pixelDifference(image, input)).toBeLessThan(3);
    expect(note).toContain('unchanged');
    expect(note).toContain('grayscale');
    expect(note).toContain('crop to 16:9');
  });

  it('more vibrant raises saturation', async () => {
    const input = await sampleImage();
    const { image } = await editOnce('Make this image more vibrant', { inputImages: [input] });
    expect(await meanSpread(image)).toBeGreaterThan((await meanSpread(input)) * 1.1);
  });

  it('applies several operations in the order written', async () => {
    const { image, note } = await editOnce('rotate 90 degrees, then crop to 16:9');
    expect(note).toBe('Applied: rotate 90°, crop to 16:9.\n\n');
    // 320×200 turned to 200×320, then the widest 16:9 area: 200×113.
    expect(await decode(image)).toMatchObject({ width: 200, height: 113 });
  });

  it('mirrors: the left edge becomes the right edge', async () => {
    const { image } = await editOnce('mirror it');
    // stats() reads the whole input, so cut the edge out first.
    const edge = await sharp(image.bytes()).extract({ left: 0, top: 0, width: 20, height: 200 }).png().toBuffer();
    const [red, , blue] = (await sharp(edge).stats()).channels;
    // The sample runs from blue on the left to red on the right.
    expect(red!.mean).toBeGreaterThan(blue!.mean + 150);
  });

  it('reports input images in prompt tokens (258 each)', async () => {
    const { events } = await editOnce('blur', { prompt: 'blur', inputImages: [await sampleImage(), await sampleImage()] });
    const usage = events.find((event) => event.type === 'usage');
    // "blur" is one token.
    expect(usage).toMatchObject({ usage: { promptTokens: 1 + 2 * 258 } });
  });

  it('answers a 400 naming the input, not a 500, when an input does not decode', async () => {
    const whole = (await sampleImage()).bytes();
    const cut = ImageData.fromBytes(whole.subarray(0, whole.length / 2), 'image/jpeg').markSentAt('messages[2].content[1].image_url.url');
    const error = await generate(buildRequest({ prompt: 'make it black and white', wantsImage: false, inputImages: [cut] })).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(GatewayError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'unsupported_image_format',
      param: 'messages[2].content[1].image_url.url',
    });
    expect((error as GatewayError).message).toMatch(
      /^Image at messages\[2\]\.content\[1\]\.image_url\.url is a JPEG that cannot be decoded \(.+\); it may be truncated or corrupt; accepted formats are PNG, JPEG, GIF and WebP\.$/,
    );
  });
});
