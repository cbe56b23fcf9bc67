/**
 * Image sizes and aspect ratios: one grammar and one set of bounds for the
 * edge that validates a request, the router that reads a model-name suffix,
 * and the providers that map a wish onto what an upstream takes.
 *
 * 16 to 4096 pixels a side is what the local engine draws; 4096 is also the
 * largest tier ("4K") and the largest edge FLUX takes, so no provider can
 * honour more. A ratio past 16:1 leaves one side of a 1K picture under 64
 * pixels: no provider draws it, so it reads as no ratio at all.
 */
export const minImageSide = 16;
export const maxImageSide = 4096;
export const maxAspectRatio = 16;

export interface PixelSize {
  width: number;
  height: number;
}

const sizePattern = /^(\d{1,5})x(\d{1,5})$/;
/** The API's form: "W:H" with whole terms of at most two digits ("16:9", "21:9"). */
const apiAspectRatioPattern = /^(\d{1,2}):(\d{1,2})$/;
/** What people and instructions write: "16:9", "16x9", "16/9", "16×9", "1.91:1". */
const writtenAspectRatioPattern = /^\s*(\d+(?:\.\d+)?)\s*[:x/×]\s*(\d+(?:\.\d+)?)\s*$/i;

/**
 * The pixel size of a `size` value ("WIDTHxHEIGHT"), or undefined for any
 * other shape and for a side outside 16..4096.
 *
 * @example
 * parseImageSize('1536x1024'); // { width: 1536, height: 1024 }
 * parseImageSize('00x00');     // undefined
 */
export function parseImageSize(text: string): PixelSize | undefined {
  const match = sizePattern.exec(text);
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  const inBounds = (side: number) => side >= minImageSide && side <= maxImageSide;
  return inBounds(width) && inBounds(height) ? { width, height } : undefined;
}

/**
 * Whether `text` is an aspect ratio in the API's form: "W:H" with whole
 * numbers from 1 to 99, neither more than 16 times the other.
 *
 * @example
 * isAspectRatio('21:9'); // true
 * isAspectRatio('1:0');  // false
 */
export function isAspectRatio(text: string): boolean {
  return apiAspectRatioPattern.test(text) && parseAspectRatio(text) !== undefined;
}

/**
 * Width divided by height for a ratio as written ("16:9", "4x3", "1.91:1",
 * "16/9", "square"); undefined for anything else, and for a ratio past
 * 16:1 either way, so callers can ignore what they cannot read.
 *
 * @example
 * parseAspectRatio('16:9');   // 1.777…
 * parseAspectRatio('square'); // 1
 */
export function parseAspectRatio(text: string): number | undefined {
  if (text.trim().toLowerCase() === 'square') return 1;
  const match = writtenAspectRatioPattern.exec(text);
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  if (!(width > 0 && height > 0)) return undefined;
  const ratio = width / height;
  return ratio >= 1 / maxAspectRatio && ratio <= maxAspectRatio ? ratio : undefined;
}

/**
 * The listed ratio closest to `ratio`, compared on a log scale so that 2:1
 * and 1:2 are equally far from 1:1.
 *
 * @example
 * nearestAspectRatio(1920 / 1080, ['1:1', '16:9', '4:3']); // "16:9"
 */
export function nearestAspectRatio(ratio: number, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const candidateRatio = parseAspectRatio(candidate);
    if (candidateRatio === undefined) continue;
    const distance = Math.abs(Math.log(candidateRatio / ratio));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
