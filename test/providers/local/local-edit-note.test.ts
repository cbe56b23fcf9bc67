import OpenAI from 'openai';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createServer } from '../../../adapters/node.js';
import { listen } from '../../adapters/adapter-test-helpers.js';

async function editContent(sdk: OpenAI, instruction: string, stream: boolean): Promise<string> {
  const png = await sharp({ create: { width: 48, height: 32, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  const body = {
    model: 'local-image',
    messages: [
      {
        role: 'user' as const,
        content: [
          { type: 'text' as const, text: instruction },
          { type: 'image_url' as const, image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
        ],
      },
    ],
  };
  if (!stream) return (await sdk.chat.completions.create(body)).choices[0]?.message.content ?? '';
  let content = '';
  for await (const chunk of await sdk.chat.completions.create({ ...body, stream: true })) content += chunk.choices[0]?.delta.content ?? '';
  return content;
}

/** The content with each image's base64 cut out: the images themselves are the same bytes in both modes. */
const shapeOf = (content: string) => content.replace(/base64,[A-Za-z0-9+/=]+/g, 'base64,…');

describe("local-image's edit note reads the same in JSON and in a stream", () => {
  it.each([
    ['tint it red', 'Applied: tint red.\n\n![generated](data:image/jpeg;base64,…)'],
    [
      'make it look like a sunny day',
      /^I couldn't find an edit I know in "make it look like a sunny day", .*\.\n\n!\[generated\]\(data:image\/jpeg;base64,…\)$/,
    ],
  ])('"%s": note first, a blank line, then the image', async (instruction, expected) => {
    const sdk = new OpenAI({ apiKey: 'unused-key-0123456789', baseURL: `${await listen(createServer())}/v1`, maxRetries: 0 });
    const json = shapeOf(await editContent(sdk, instruction, false));
    const streamed = shapeOf(await editContent(sdk, instruction, true));
    expect(streamed).toBe(json);
    if (typeof expected === 'string') expect(json).toBe(expected);
    else expect(json).toMatch(expected);
  });
});
