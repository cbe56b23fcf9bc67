import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createImageGateway } from '../../src/gateway/create-gateway.js';
import { postChat } from '../helpers/gateway-client.js';
import { dataUrl, twoToneImage } from './image-test-helpers.js';

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
