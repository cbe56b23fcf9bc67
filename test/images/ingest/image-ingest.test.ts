import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createImageIngester } from '../../../src/images/ingest/image-ingest.js';
import type { ImageReference } from '../../../src/images/ingest/image-ingest-types.js';
import {
  dataUrl,
  jpegWithStrayBytes,
  never,
  noisyJpeg,
  pixelAt,
  pngHeaderClaiming,
  rejection,
  transparentPng,
  twoToneImage,
  userReference,
} from '../image-test-helpers.js';

describe('createImageIngester: formats', () => {
  it.each(['png', 'jpeg', 'gif', 'webp'] as const)('turns a %s into a JPEG of the same size with the same picture', async (format) => {
    const bytes = await twoToneImage(format, 64, 32);
    const [image] = await createImageIngester().ingest([userReference(dataUrl(bytes, `image/${format}`))], never);
    expect(image!.mediaType).toBe('image/jpeg');
    const metadata = await sharp(image!.bytes()).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 64, height: 32 });
    const [red] = await pixelAt(image!.bytes(), 8, 16);
    const [, , blue] = await pixelAt(image!.bytes(), 56, 16);
    expect(red).toBeGreaterThan(200);
    expect(blue).toBeGreaterThan(200);
  });

  it('uses the first frame of an animated GIF', async () => {
    const green = await sharp({ create: { width: 20, height: 10, channels: 3, background: 'green' } })
      .png()
      .toBuffer();
    const white = await sharp({ create: { width: 20, height: 10, channels: 3, background: 'white' } })
      .png()
      .toBuffer();
    const animated = await sharp([green, white], { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(animated).metadata()).pages).toBe(2);
    const [image] = await createImageIngester().ingest([userReference(dataUrl(animated, 'image/gif'))], never);
    expect(await sharp(image!.bytes()).metadata()).toMatchObject({ format: 'jpeg', width: 20, height: 10 });
    const [red, greenChannel, blue] = await pixelAt(image!.bytes(), 5, 5);
    expect(greenChannel).toBeGreaterThan(red + 50);
    expect(greenChannel).toBeGreaterThan(blue + 50);
  });

  it('flattens transparency onto white and strips metadata', async () => {
    const withExif = await sharp(await transparentPng())
      .withMetadata({ exif: { IFD0: { Copyright: 'secret' } } })
      .png()
      .toBuffer();
    const [image] = await createImageIngester().ingest([userReference(dataUrl(withExif))], never);
    expect(await pixelAt(image!.bytes(), 4, 4)).toEqual([255, 255, 255]);
    const metadata = await sharp(image!.bytes()).metadata();
    expect(metadata.exif).toBeUndefined();
  });

  it('applies the EXIF orientation', async () => {
    // Stored 64×32 red|blue, orientation 6 (rotate 90° clockwise to display): shown 32×64, red on top.
    const stored = await sharp(await twoToneImage('jpeg', 64, 32))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const [image] = await createImageIngester().ingest([userReference(dataUrl(stored, 'image/jpeg'))], never);
    const metadata = await sharp(image!.bytes()).metadata();
    expect(metadata).toMatchObject({ width: 32, height: 64 });
    expect((await pixelAt(image!.bytes(), 16, 8))[0]).toBeGreaterThan(200);
    expect((await pixelAt(image!.bytes(), 16, 56))[2]).toBeGreaterThan(200);
  });

  it('trusts the bytes, not a lying MIME type', async () => {
    const webp = await twoToneImage('webp');
    const [image] = await createImageIngester({ convertToJpeg: false }).ingest([userReference(dataUrl(webp, 'image/png'))], never);
    expect(image!.mediaType).toBe('image/webp');
    expect(image!.bytes().equals(webp)).toBe(true);
  });

  it('refuses a truncated PNG kept as sent (convertToJpeg off): it must still decode', async () => {
    const png = await sharp({
      create: { width: 300, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    })
      .png()
      .toBuffer();
    const ingester = createImageIngester({ convertToJpeg: false });
    const error = await rejection(ingester.ingest([userReference(dataUrl(png.subarray(0, png.length / 2)))], never));
    expect(error).toMatchObject({ status: 400, code: 'unsupported_image_format' });
    expect(error.message).toMatch(/is a PNG that cannot be decoded/);
  });

  it('keeps the original bytes when asked per call, even with convertToJpeg on', async () => {
    const png = await twoToneImage('png');
    const [image] = await createImageIngester().ingest([userReference(dataUrl(png))], never, { format: 'original' });
    expect(image!.mediaType).toBe('image/png');
    expect(image!.bytes().equals(png)).toBe(true);
  });

  it.each([
    ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), 'SVG'],
    ['HTML', Buffer.from('<!DOCTYPE html><html><body>hi</body></html>'), 'HTML'],
    ['BMP', Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]), 'BMP'],
  ])('refuses %s with unsupported_image_format naming the part and the accepted formats', async (_name, bytes, described) => {
    const references = [
      userReference(dataUrl(Buffer.from(await twoToneImage('png'))), 1, 2),
      userReference(dataUrl(bytes, 'image/png'), 2, 2),
    ];
    const error = await rejection(createImageIngester().ingest(references, never));
    expect(error).toMatchObject({ status: 400, code: 'unsupported_image_format', param: 'messages[2].content[2].image_url.url' });
    expect(error.message).toContain(`message 2, part 2) is ${described}`);
    expect(error.message).toContain('PNG, JPEG, GIF and WebP');
  });

  it('refuses a truncated PNG whose header is intact', async () => {
    const png = await sharp({
      create: { width: 300, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    })
      .png()
      .toBuffer();
    const error = await rejection(createImageIngester().ingest([userReference(dataUrl(png.subarray(0, png.length / 2)))], never));
    expect(error).toMatchObject({ status: 400, code: 'unsupported_image_format' });
    expect(error.message).toMatch(/cannot be decoded/);
  });

  it('refuses corrupt bytes behind a JPEG signature', async () => {
    const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('not really a jpeg at all, just text')]);
    const error = await rejection(createImageIngester().ingest([userReference(dataUrl(corrupt, 'image/jpeg'))], never));
    expect(error).toMatchObject({ status: 400, code: 'unsupported_image_format' });
    expect(error.message).toContain('truncated or corrupt JPEG');
  });
});

describe('createImageIngester: clean JPEGs go on as sent', () => {
  it('passes a clean JPEG on unchanged, reusing the base64 the client sent', async () => {
    const jpeg = await noisyJpeg(300, 200);
    const base64 = jpeg.toString('base64');
    const [image] = await createImageIngester().ingest([userReference(`data:image/png;base64,${base64}`)], never);
    expect(image!.mediaType).toBe('image/jpeg');
    expect(image!.base64()).toBe(base64);
    expect(image!.bytes().equals(jpeg)).toBe(true);
  });

  it('passes a progressive JPEG sent in URL-safe base64 on as the same bytes in standard base64', async () => {
    const jpeg = await noisyJpeg(300, 200, { progressive: true });
    expect(jpeg.toString('base64url')).toMatch(/[-_]/);
    const [image] = await createImageIngester().ingest([userReference(`data:image/jpeg;base64,${jpeg.toString('base64url')}`)], never);
    expect(image!.base64()).toBe(jpeg.toString('base64'));
  });

  it('re-encodes a JPEG that carries EXIF, even with orientation 1, and drops the EXIF', async () => {
    const withExif = await sharp(await noisyJpeg(300, 200))
      .withMetadata({ orientation: 1, exif: { IFD0: { Copyright: 'secret' } } })
      .jpeg()
      .toBuffer();
    const [image] = await createImageIngester().ingest([userReference(dataUrl(withExif, 'image/jpeg'))], never);
    expect(image!.bytes().equals(withExif)).toBe(false);
    const metadata = await sharp(image!.bytes()).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 300, height: 200 });
    expect(metadata.exif).toBeUndefined();
  });

  it('refuses a clean-looking JPEG whose image data is cut short', async () => {
    const jpeg = await noisyJpeg(300, 200);
    const truncated = jpeg.subarray(0, jpeg.length / 2);
    const error = await rejection(createImageIngester().ingest([userReference(dataUrl(truncated, 'image/jpeg'))], never));
    expect(error).toMatchObject({ status: 400, code: 'unsupported_image_format' });
    expect(error.message).toMatch(/is a JPEG that cannot be decoded/);
  });

  it('refuses a JPEG cut short with its end-of-image marker put back, which libjpeg only warns about', async () => {
    const jpeg = await noisyJpeg(300, 200);
    const cut = Buffer.concat([jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), Buffer.from([0xff, 0xd9])]);
    for (const convertToJpeg of [true, false]) {
      const error = await rejection(createImageIngester({ convertToJpeg }).ingest([userReference(dataUrl(cut, 'image/jpeg'))], never));
      expect(error).toMatchObject({ status: 400, code: 'unsupported_image_format', param: 'messages[0].content[0].image_url.url' });
      expect(error.message).toContain('premature end of data segment');
    }
  });

  it('passes on a whole JPEG with stray bytes between its scans, which libjpeg only warns about', async () => {
    const jpeg = await jpegWithStrayBytes(300, 200);
    const [image] = await createImageIngester().ingest([userReference(dataUrl(jpeg, 'image/jpeg'))], never);
    expect(image!.bytes().equals(jpeg)).toBe(true);
    expect(image!.sentAt).toBe('messages[0].content[0].image_url.url');
  });
});

describe('createImageIngester: data URLs', () => {
  it('tolerates line breaks and the URL-safe alphabet', async () => {
    const png = await twoToneImage('png', 40, 20);
    const urlSafe = png.toString('base64url');
    expect(urlSafe).toMatch(/[-_]/);
    const wrapped = urlSafe.replace(/.{76}/g, '$&\r\n');
    const [image] = await createImageIngester().ingest([userReference(`data:image/png;base64,${wrapped}`)], never);
    expect(await sharp(image!.bytes()).metadata()).toMatchObject({ width: 40, height: 20 });
  });

  it.each([
    ['a character outside base64', 'data:image/png;base64,iVBORw0K*GgoAAAANS', /character "\*" at position 8/],
    ['data after the padding', 'data:image/png;base64,iVBO=Rw0K', /padding at position 4/],
    ['a data URL without base64', 'data:image/svg+xml,<svg/>', /only base64 data URLs/],
    ['an empty payload', 'data:image/png;base64,', /empty/],
  ])('refuses %s with invalid_image_data naming the part', async (_name, url, message) => {
    const error = await rejection(createImageIngester().ingest([userReference(url, 3, 1)], never));
    expect(error).toMatchObject({ status: 400, code: 'invalid_image_data', param: 'messages[1].content[3].image_url.url' });
    expect(error.message).toMatch(message);
  });
});

describe('createImageIngester: limits', () => {
  it('refuses more images than maxImages with TOO_MANY_IMAGES, before decoding any', async () => {
    const references = Array.from({ length: 3 }, (_, index) => userReference('data:image/png;base64,broken*', index));
    const error = await rejection(createImageIngester({ maxImages: 2 }).ingest(references, never));
    expect(error).toMatchObject({ status: 400, code: 'TOO_MANY_IMAGES', param: 'messages[0].content[2].image_url.url' });
    expect(error.message).toContain('carries 3 images; the limit is 2');
  });

  it('does not count the earlier assistant image used as the edit input', async () => {
    const url = dataUrl(await twoToneImage('png'));
    const assistant: ImageReference = {
      url,
      param: 'messages[1].images[0].image_url.url',
      messageIndex: 1,
      partIndex: 0,
      origin: 'assistant',
    };
    const images = await createImageIngester({ maxImages: 1 }).ingest([userReference(url), assistant], never);
    expect(images).toHaveLength(2);
  });

  it('caps maxImages at 10', () => {
    expect(() => createImageIngester({ maxImages: 11 })).toThrow(/at most 10/);
  });

  it('refuses an image over maxImageBytes, naming limit and size', async () => {
    const png = await twoToneImage('png');
    const error = await rejection(createImageIngester({ maxImageBytes: 100 }).ingest([userReference(dataUrl(png))], never));
    expect(error).toMatchObject({ status: 400, code: 'IMAGE_TOO_LARGE' });
    expect(error.message).toContain(`is ${png.length} bytes; the limit is 100 bytes`);
  });

  it('refuses images that together exceed maxTotalImageBytes', async () => {
    const png = await twoToneImage('png');
    const references = [userReference(dataUrl(png), 0), userReference(dataUrl(png), 1)];
    const error = await rejection(createImageIngester({ maxTotalImageBytes: png.length + 10 }).ingest(references, never));
    expect(error).toMatchObject({ status: 400, code: 'IMAGE_TOO_LARGE', param: 'messages[0].content[1].image_url.url' });
    expect(error.message).toContain(`to ${png.length * 2} bytes`);
  });

  it('refuses a decompression bomb from its header', async () => {
    const bomb = pngHeaderClaiming(30_000, 30_000);
    expect(bomb.length).toBeLessThan(100);
    const error = await rejection(createImageIngester().ingest([userReference(dataUrl(bomb))], never));
    expect(error).toMatchObject({ status: 400, code: 'IMAGE_TOO_MANY_PIXELS' });
    expect(error.message).toContain('30000×30000 = 900000000 pixels; the limit is 40000000');
  });

  it('refuses an image over maxPixels', async () => {
    const png = await twoToneImage('png', 64, 32);
    const error = await rejection(createImageIngester({ maxPixels: 1000 }).ingest([userReference(dataUrl(png))], never));
    expect(error).toMatchObject({ code: 'IMAGE_TOO_MANY_PIXELS' });
    expect(error.message).toContain('64×32 = 2048 pixels');
  });
});

describe('createImageIngester: abort', () => {
  it('rejects with the signal reason when already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('client left'));
    await expect(createImageIngester().ingest([userReference(dataUrl(await twoToneImage('png')))], controller.signal)).rejects.toThrow(
      'client left',
    );
  });

  it('rejects promptly when the client leaves during conversion', async () => {
    // A PNG, so each one is converted (a clean JPEG would only be checked).
    const big = await sharp({
      create: { width: 1400, height: 1400, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    })
      .png({ compressionLevel: 1 })
      .toBuffer();
    const controller = new AbortController();
    // Eight conversions one at a time take well over the 250 ms allowed below.
    const references = Array.from({ length: 8 }, (_, index) => userReference(dataUrl(big), index));
    const pending = createImageIngester({ maxConcurrentConversions: 1, maxImages: 10 }).ingest(references, controller.signal);
    const started = performance.now();
    setImmediate(() => controller.abort(new Error('client left')));
    await expect(pending).rejects.toThrow('client left');
    expect(performance.now() - started).toBeLessThan(250);
  });
});
