import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { captionSvg, drawPicture } from '../../../src/providers/local/local-draw.js';
import { litPixelCount, textPath, toDrawableText, wrapText } from '../../../src/providers/local/local-font.js';

async function countLitPixels(svg: string): Promise<number> {
  const { data } = await sharp(Buffer.from(svg)).greyscale().raw().toBuffer({ resolveWithObject: true });
  return data.reduce((count, value) => count + (value > 128 ? 1 : 0), 0);
}

describe('caption font', () => {
  it('renders each lit font pixel as a scale×scale white square, without system fonts', async () => {
    const path = textPath(['HI 42!'], 2, 2, 3);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><rect width="120" height="30" fill="#000"/><path d="${path}" fill="#fff"/></svg>`;
    expect(await countLitPixels(svg)).toBe(litPixelCount('HI 42!') * 9);
  });

  it('upper-cases, strips accents and stands in "?" for characters it has no glyph for', () => {
    expect(toDrawableText('Crème brûlée 猫')).toBe('CREME BRULEE ?');
  });

  it('wraps at word boundaries and cuts with "..."', () => {
    expect(wrapText('A RED FOX IN THE SNOW', 10, 2)).toEqual(['A RED FOX', 'IN THE...']);
    expect(wrapText('SUPERCALIFRAGILISTIC', 8, 3)).toEqual(['SUPERCAL', 'IFRAGILI', 'STIC']);
  });
});

describe('drawPicture', () => {
  it('prints the prompt on a dark band along the bottom', async () => {
    const size = { width: 400, height: 300 };
    expect(captionSvg('a cat', size)).toContain('<path');
    expect(captionSvg('a cat', { width: 40, height: 40 })).toBe('');
    const image = await drawPicture({ prompt: 'a cat', seed: 1, variant: 0, size, format: 'png', quality: 85 });
    // The caption is two lines at most: the band sits within the bottom 30 px; its text is pure white.
    const band = await sharp(image.bytes).extract({ left: 0, top: 270, width: 400, height: 30 }).png().toBuffer();
    const { channels } = await sharp(band).stats();
    for (const channel of channels.slice(0, 3)) expect(channel.max).toBeGreaterThanOrEqual(250);
  });

  it('takes its palette from a colour named in the prompt', async () => {
    const redness = async (prompt: string) => {
      const image = await drawPicture({ prompt, seed: 3, variant: 0, size: { width: 256, height: 256 }, format: 'png', quality: 85 });
      const [red, green, blue] = (await sharp(image.bytes).stats()).channels;
      return red!.mean - (green!.mean + blue!.mean) / 2;
    };
    expect(await redness('a red sunset over the sea')).toBeGreaterThan(await redness('a blue sunset over the sea'));
  });
});
