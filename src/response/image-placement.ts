import type { ImageData } from '../images/image-data.js';

/** Where output images go in the assistant message. */
export type ImagePlacement = 'markdown' | 'images' | 'both';

/**
 * Markdown in `content` by default (seed 000); `message.images[]` when the
 * request names `modalities`, the OpenRouter convention seed 004 shows.
 */
export function resolveImagePlacement(option: 'auto' | ImagePlacement, hasModalities: boolean): ImagePlacement {
  if (option !== 'auto') return option;
  return hasModalities ? 'images' : 'markdown';
}

export function markdownImage(image: ImageData): string {
  return `![generated](${image.dataUrl()})`;
}

export function imageEntry(image: ImageData, index: number): Record<string, unknown> {
  return { type: 'image_url', image_url: { url: image.dataUrl() }, index };
}
