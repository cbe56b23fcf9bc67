import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createImageGateway } from '../../src/gateway.js';
import { postChat } from '../helpers/gateway-client.js';
import { dataUrl, jpegClaimingSize, jpegWithSegment, jpegWithStrayBytes, twoToneImage } from './image-test-helpers.js';

const gateway = createImageGateway({ providers: [{ type: 'local' }] });
afterAll(() => gateway.close());

/** A local-image edit request: one user message with the instruction and one image. */
function editRequest(imageUrl: string) {
  return {
    model: 'local-image',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'make it black and white' },
          { type: 'image_url', image_url: { url: imageUrl } },
        ],
      },
    ],
  };
}

/** The first data-URL image of a chat.completion, wherever the gateway put it. */
function outputImage(completion: any): Buffer {
  const message = completion.choices[0].message;
  const url: string | undefined = message.images?.[0]?.image_url?.url ?? /\((data:image\/[^)]+)\)/.exec(message.content ?? '')?.[1];
  if (!url) throw new Error(`no image in ${JSON.stringify(completion).slice(0, 300)}`);
  return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
}

describe('image input through the gateway', () => {
  it('edits a PNG input with "make it black and white" and answers with a grey JPEG', async () => {
    const png = await twoToneImage('png', 64, 32);
    const response = await postChat(gateway, editRequest(dataUrl(png)));
    expect(response.status).toBe(200);
    const output = outputImage(await response.json());
    const metadata = await sharp(output).metadata();
    expect(metadata.format).toBe('jpeg');
    const { data, info } = await sharp(output).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    const samples: [number, number][] = [
      [8, 16],
      [56, 16],
    ];
    for (const [x, y] of samples) {
      const offset = (y * info.width + x) * 3;
      const [r, g, b] = [data[offset]!, data[offset + 1]!, data[offset + 2]!];
      expect(Math.abs(r - g)).toBeLessThanOrEqual(2);
      expect(Math.abs(g - b)).toBeLessThanOrEqual(2);
    }
  });

  it('answers 400 unsupported_image_format for an SVG sent as PNG', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    const response = await postChat(gateway, editRequest(dataUrl(svg)));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'unsupported_image_format', param: 'messages[0].content[1].image_url.url' },
    });
  });
});

describe('a JPEG whose frame header claims more rows than its data holds', () => {
  /** Sharp's 64×48 JPEG, its frame header claiming 6000×6000: under images.maxPixels, with data for 0.01% of the blocks. */
  async function lyingJpeg(): Promise<Buffer> {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: 'green' } })
      .jpeg()
      .toBuffer();
    return jpegClaimingSize(jpeg, 6000, 6000);
  }

  /** The OpenAI envelope of a 400 for the image of `editRequest`, with nothing but the four fields. */
  async function expectUndecodableJpeg(response: Response): Promise<void> {
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await response.json();
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error)).toEqual(['message', 'type', 'param', 'code']);
    expect(body.error).toMatchObject({
      type: 'invalid_request_error',
      param: 'messages[0].content[1].image_url.url',
      code: 'unsupported_image_format',
    });
    expect(body.error.message).toMatch(
      /^Image at messages\[0\]\.content\[1\]\.image_url\.url \(message 0, part 1\) is a JPEG that cannot be decoded \(.*premature end of data segment.*\); it may be truncated or corrupt; accepted formats are PNG, JPEG, GIF and WebP\.$/,
    );
  }

  it('answers 400 unsupported_image_format when the JPEG would go on as sent', async () => {
    await expectUndecodableJpeg(await postChat(gateway, editRequest(dataUrl(await lyingJpeg(), 'image/jpeg'))));
  });

  it('answers 400 unsupported_image_format when the JPEG would be re-encoded (it carries a comment)', async () => {
    const withComment = jpegWithSegment(await lyingJpeg(), 0xfe, Buffer.from('made by a camera'));
    await expectUndecodableJpeg(await postChat(gateway, editRequest(dataUrl(withComment, 'image/jpeg'))));
  });

  it('answers 400 unsupported_image_format with convertToJpeg off', async () => {
    const keepsOriginals = createImageGateway({ providers: [{ type: 'local' }], images: { convertToJpeg: false } });
    try {
      await expectUndecodableJpeg(await postChat(keepsOriginals, editRequest(dataUrl(await lyingJpeg(), 'image/jpeg'))));
    } finally {
      await keepsOriginals.close();
    }
  });

  it('still edits a whole JPEG that libjpeg only warns about (stray bytes between scans)', async () => {
    const response = await postChat(gateway, editRequest(dataUrl(await jpegWithStrayBytes(160, 120), 'image/jpeg')));
    expect(response.status).toBe(200);
    expect(await sharp(outputImage(await response.json())).metadata()).toMatchObject({ format: 'jpeg', width: 160, height: 120 });
  });
});
