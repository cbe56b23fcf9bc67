import { isAspectRatio } from '../../images/image-geometry.js';

const suffixPattern = /-(?:(512|1k|2k|4k)(?:-(\d{1,2})x(\d{1,2}))?|(\d{1,2})x(\d{1,2}))$/i;

export interface ModelSuffix {
  /** The model name without the suffix. */
  base: string;
  imageSize?: string;
  aspectRatio?: string;
}

/**
 * Reads size hints some clients put in the model name, as relays do:
 * `gemini-3-pro-image-preview-2k-16x9` → base + 2K + 16:9, `...-4k`, `...-9x16`.
 * Returns undefined when the name carries no such suffix, or a ratio outside
 * what `aspect_ratio` accepts.
 */
export function parseModelSuffix(model: string): ModelSuffix | undefined {
  const match = suffixPattern.exec(model);
  if (!match) return undefined;
  const base = model.slice(0, match.index);
  if (!base) return undefined;
  const [, size, sizedWidth, sizedHeight, width, height] = match;
  const ratioWidth = sizedWidth ?? width;
  const ratioHeight = sizedHeight ?? height;
  // "-0x5" is no ratio: the name stays whole and is looked up (and refused) as it is.
  if (ratioWidth && ratioHeight && !isAspectRatio(`${ratioWidth}:${ratioHeight}`)) return undefined;
  return {
    base,
    imageSize: size ? size.toUpperCase() : undefined,
    aspectRatio: ratioWidth && ratioHeight ? `${ratioWidth}:${ratioHeight}` : undefined,
  };
}
