import { z } from 'zod';
import { isAspectRatio, maxAspectRatio, maxImageSide, minImageSide, parseImageSize } from '../../images/image-geometry.js';

/** Each term of "W:H" has at most two digits, as the field always allowed ("16:9", "21:9"). */
const maxAspectRatioTerm = 99;

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
