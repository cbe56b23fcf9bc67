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

/** `url` is the image's data URL, or a stand-in the body writer replaces with it. */
export function markdownImage(url: string): string {
  return `![generated](${url})`;
}

export function imageEntry(url: string, index: number): Record<string, unknown> {
  return { type: 'image_url', image_url: { url }, index };
}
