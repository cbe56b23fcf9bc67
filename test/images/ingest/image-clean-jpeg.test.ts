import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { whyJpegNeedsReencoding } from '../../../src/images/ingest/image-clean-jpeg.js';
import { jpegWithSegment, noisyJpeg } from '../image-test-helpers.js';

describe('whyJpegNeedsReencoding', () => {
  it.each([
    ['baseline', {}],
    ['progressive', { progressive: true }],
    ['4:4:4', { chromaSubsampling: '4:4:4' }],
  ] as const)('passes a %s JPEG as sharp writes it', async (_name, options) => {
    const jpeg = await sharp(await noisyJpeg(96, 64))
      .jpeg(options)
      .toBuffer();
    expect(whyJpegNeedsReencoding(jpeg)).toBeUndefined();
  });

  it('passes a greyscale JPEG', async () => {
    const grey = await sharp(await noisyJpeg(96, 64))
      .greyscale()
      .jpeg()
      .toBuffer();
    expect(whyJpegNeedsReencoding(grey)).toBeUndefined();
  });

  it('passes a bare JFIF header but not one with a thumbnail', async () => {
    const jfif = (thumbnail: number) => Buffer.from([...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, thumbnail, thumbnail]);
    const jpeg = await noisyJpeg(96, 64);
    expect(whyJpegNeedsReencoding(jpegWithSegment(jpeg, 0xe0, jfif(0)))).toBeUndefined();
    const withThumbnail = jpegWithSegment(jpeg, 0xe0, Buffer.concat([jfif(1), Buffer.from([1, 2, 3])]));
    expect(whyJpegNeedsReencoding(withThumbnail)).toMatch(/APP0/);
  });

  it('refuses metadata: EXIF, ICC profile, XMP, comment', async () => {
    const jpeg = await noisyJpeg(96, 64);
    const exif = await sharp(jpeg).withMetadata({ orientation: 1 }).jpeg().toBuffer();
    expect(whyJpegNeedsReencoding(exif)).toMatch(/EXIF/);
    const icc = await sharp(jpeg).withIccProfile('p3').jpeg().toBuffer();
    expect(whyJpegNeedsReencoding(icc)).toMatch(/ICC/);
    const xmp = jpegWithSegment(jpeg, 0xe1, Buffer.from('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>', 'latin1'));
    expect(whyJpegNeedsReencoding(xmp)).toMatch(/APP1/);
    expect(whyJpegNeedsReencoding(jpegWithSegment(jpeg, 0xfe, Buffer.from('shot at home', 'latin1')))).toMatch(/comment/);
  });

  it('refuses CMYK, data after the end-of-image marker and a file cut short', async () => {
    const jpeg = await noisyJpeg(96, 64);
    const cmyk = await sharp(jpeg).toColourspace('cmyk').jpeg().toBuffer();
    expect(whyJpegNeedsReencoding(cmyk)).toBeDefined();
    expect(whyJpegNeedsReencoding(Buffer.concat([jpeg, Buffer.from('appended video')]))).toMatch(/follows its end-of-image/);
    expect(whyJpegNeedsReencoding(jpeg.subarray(0, jpeg.length - 100))).toMatch(/no end-of-image/);
  });

  it('refuses frame types other than baseline and progressive Huffman', async () => {
    const jpeg = await noisyJpeg(96, 64);
    const frameAt = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    const arithmetic = Buffer.from(jpeg);
    arithmetic[frameAt + 1] = 0xc9;
    expect(whyJpegNeedsReencoding(arithmetic)).toMatch(/frame type 0xC9/);
  });
});
