import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageData } from '../../src/images/image-data.js';
import { createImageOutputEncoder } from '../../src/images/image-output.js';
import { never, pixelAt, transparentPng, twoToneImage } from './image-test-helpers.js';

describe('createImageOutputEncoder', () => {
  it('returns the very same image for "original" without decoding its base64', async () => {
    const image = ImageData.fromBase64('not even base64 ***', 'image/png');
    expect(await createImageOutputEncoder()(image, never)).toBe(image);
  });

  it.each([
    ['jpeg', 'image/jpeg'],
    ['png', 'image/png'],
    ['webp', 'image/webp'],
  ] as const)('converts to %s when asked', async (outputFormat, mediaType) => {
    const source = ImageData.fromBase64(
      (await twoToneImage(outputFormat === 'png' ? 'webp' : 'png', 30, 20)).toString('base64'),
      'image/png',
    );
    const encoded = await createImageOutputEncoder({ outputFormat })(source, never);
    expect(encoded.mediaType).toBe(mediaType);
    expect(await sharp(encoded.bytes()).metadata()).toMatchObject({ format: outputFormat, width: 30, height: 20 });
  });

  it('flattens transparency onto white for JPEG output', async () => {
    const encoded = await createImageOutputEncoder({ outputFormat: 'jpeg' })(
      ImageData.fromBytes(await transparentPng(), 'image/png'),
      never,
    );
    expect(await pixelAt(encoded.bytes(), 3, 3)).toEqual([255, 255, 255]);
  });

  it('passes an image already in the target format through, fixing a wrong media type', async () => {
    const jpeg = await twoToneImage('jpeg');
    const encoded = await createImageOutputEncoder({ outputFormat: 'jpeg' })(ImageData.fromBytes(jpeg, 'image/png'), never);
    expect(encoded.mediaType).toBe('image/jpeg');
    expect(encoded.bytes()).toBe(jpeg);
  });

  it('passes bytes that are no image through untouched', async () => {
    const image = ImageData.fromBytes(Buffer.from('plain text'), 'image/png');
    expect(await createImageOutputEncoder({ outputFormat: 'webp' })(image, never)).toBe(image);
  });

  it('rejects with the signal reason when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('client left'));
    const image = ImageData.fromBytes(await twoToneImage('png'), 'image/png');
    await expect(createImageOutputEncoder({ outputFormat: 'webp' })(image, controller.signal)).rejects.toThrow('client left');
  });
});
