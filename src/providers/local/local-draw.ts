import sharp from 'sharp';
import type { PixelSize } from '../../images/image-geometry.js';
import { findColor, hueOf } from './local-colors.js';
import type { LocalOutputFormat } from './local-config.js';
import { type EncodedImage, encodeImage, type RunSharp, runSharpNow } from './local-encode.js';
import { cellWidth, lineHeight, textPath, toDrawableText, wrapText } from './local-font.js';
import { createRandom, hashString } from './local-random.js';
import { makePalette, type SceneName, scenes } from './local-scene.js';

export interface DrawOptions {
  prompt: string;
  /** The request's seed (0 when not given). */
  seed: number;
  /** Which of the `n` images this is; each variant is a different picture. */
  variant: number;
  size: PixelSize;
  format: LocalOutputFormat;
  quality: number;
  /** Where the encoding runs (the gateway's conversion queue); at once when absent. */
  runSharp?: RunSharp;
}

/** Words that steer the composition, so "a sunset over hills" looks like a landscape. */
const sceneHints: readonly [RegExp, SceneName][] = [
  [/\b(landscape|mountains?|hills?|sunset|sunrise|sky|sea|ocean|beach|valley|field|meadow|desert)\b/i, 'landscape'],
  [/\b(planets?|space|orbits?|galaxy|stars?|moons?|cosmos|universe|solar)\b/i, 'orbits'],
  [/\b(pattern|tiles?|mosaic|grid|quilt|bauhaus)\b/i, 'mosaic'],
  [/\b(abstract|shapes|geometric|confetti|bubbles)\b/i, 'abstract'],
];

/**
 * Draws a deterministic procedural picture for a prompt: palette, shapes and
 * composition come from a hash of prompt, seed and variant, so the same
 * inputs give identical bytes and another prompt gives another picture. The
 * prompt is printed as a caption along the bottom.
 *
 * @example
 * const image = await drawPicture({ prompt: 'a red fox', seed: 0, variant: 0,
 *   size: { width: 1024, height: 1024 }, format: 'jpeg', quality: 85 });
 */
export async function drawPicture(options: DrawOptions): Promise<EncodedImage> {
  const svg = pictureSvg(options.prompt, options.seed, options.variant, options.size);
  return encodeImage(sharp(Buffer.from(svg)), options.format, options.quality, options.runSharp ?? runSharpNow);
}

/** The picture as SVG; exported so tests can look at what is drawn without decoding. */
export function pictureSvg(prompt: string, seed: number, variant: number, size: PixelSize): string {
  const random = createRandom(hashString(`${prompt}\u0000${seed}\u0000${variant}`));
  const named = findColor(prompt);
  const palette = makePalette(random, named ? hueOf(named.rgb) : undefined);
  const hinted = sceneHints.find(([pattern]) => pattern.test(prompt))?.[1];
  const scene = hinted ?? random.pick(Object.keys(scenes) as SceneName[]);
  const body = scenes[scene]({ width: size.width, height: size.height, random, palette });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}">` +
    body +
    captionSvg(prompt, size) +
    '</svg>'
  );
}

/**
 * The prompt in white on a dark band along the bottom, in the built-in
 * bitmap font; up to three lines, cut with "..." beyond. Pictures under 48
 * pixels on a side have no room for it.
 */
export function captionSvg(prompt: string, size: PixelSize): string {
  const text = toDrawableText(prompt);
  if (!text.trim() || size.width < 48 || size.height < 48) return '';
  const scale = Math.max(1, Math.floor(Math.min(size.width, size.height * 1.5) / 180));
  const margin = 3 * scale;
  const maxChars = Math.floor((size.width - 2 * margin + scale) / (cellWidth * scale));
  const lines = wrapText(text, maxChars, size.height >= size.width ? 3 : 2);
  const bandHeight = lines.length * lineHeight * scale - 2 * scale + 2 * margin;
  const top = size.height - bandHeight;
  const path = lines
    .map((line, index) => {
      const lineWidth = line.length * cellWidth * scale - scale;
      const left = Math.floor((size.width - lineWidth) / 2);
      return textPath([line], left, top + margin + index * lineHeight * scale, scale);
    })
    .join('');
  return `<rect x="0" y="${top}" width="${size.width}" height="${bandHeight}" fill="#000000" opacity="0.6"/><path d="${path}" fill="#ffffff"/>`;
}
