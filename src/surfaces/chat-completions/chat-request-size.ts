import { z } from 'zod';

/**
 * Bounds of the `size` and `aspect_ratio` fields. 16 to 4096 pixels a side is
 * what the local engine draws (local-size.ts); 4096 is also the largest tier
 * ("4K") and the largest edge FLUX takes, so no provider can honour more. A
 * ratio past 16:1 leaves one side of a 1K picture under 64 pixels, and the
 * local engine already treats such a ratio as unreadable.
 */
export const minImageSide = 16;
export const maxImageSide = 4096;
export const maxAspectRatio = 16;
/** Each term of "W:H" has at most two digits, as the field always allowed ("16:9", "21:9"). */
const maxAspectRatioTerm = 99;

const sizePattern = /^(\d{1,5})x(\d{1,5})$/;
const aspectRatioPattern = /^(\d{1,2}):(\d{1,2})$/;

/**
 * The pixel size of a `size` value, or undefined for "auto", for any other
 * shape and for a side outside 16..4096.
 *
 * @example
 * parseImageSize('1536x1024'); // { width: 1536, height: 1024 }
 * parseImageSize('00x00');     // undefined
 */
export function parseImageSize(text: string): { width: number; height: number } | undefined {
  const match = sizePattern.exec(text);
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  const inBounds = (side: number) => side >= minImageSide && side <= maxImageSide;
  return inBounds(width) && inBounds(height) ? { width, height } : undefined;
}

/**
 * Whether `text` is "W:H" with whole numbers from 1 to 99, neither more than
 * 16 times the other.
 *
 * @example
 * isAspectRatio('21:9'); // true
 * isAspectRatio('1:0');  // false
 */
export function isAspectRatio(text: string): boolean {
  const match = aspectRatioPattern.exec(text);
  if (!match) return false;
  const width = Number(match[1]);
  const height = Number(match[2]);
  return width > 0 && height > 0 && width <= height * maxAspectRatio && height <= width * maxAspectRatio;
}

/** "got" and the value a client sent, as JSON cut to 40 characters, for an error message. */
export function got(input: unknown): string {
  const text = JSON.stringify(input) ?? String(input);
  return `got ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

const sizeError = (issue: { input?: unknown }) =>
  `must be "WIDTHxHEIGHT" with each side from ${minImageSide} to ${maxImageSide} pixels (such as "1024x1024"), or "auto"; ${got(issue.input)}`;

const aspectRatioError = (issue: { input?: unknown }) =>
  `must be "W:H" with W and H positive integers up to ${maxAspectRatioTerm}, neither more than ${maxAspectRatio} times the other (such as "16:9", "1:1" or "9:16"); ${got(issue.input)}`;

/** `size`: "WIDTHxHEIGHT" within the bounds above, or "auto". */
export const sizeField = z
  .string({ error: sizeError })
  .refine((value) => value === 'auto' || parseImageSize(value) !== undefined, { error: sizeError });

/** `aspect_ratio` and `image_config.aspect_ratio`: "W:H" within the bounds above. */
export const aspectRatioField = z.string({ error: aspectRatioError }).refine(isAspectRatio, { error: aspectRatioError });
