import type { GenerationRequest } from '../../generation-request.js';
import { parseAspectRatio as parseRatio } from '../../images/image-geometry.js';

export interface PixelSize {
  width: number;
  height: number;
}

/** Smallest and largest side the engine draws; 4096 matches the largest tier ("4K") of real image models. */
export const minSide = 16;
export const maxSide = 4096;

const longSideByTier: Record<string, number> = { '1K': 1024, '2K': 2048, '4K': 4096 };

/**
 * The size of a drawn picture: `request.size` if given; else
 * `request.aspectRatio` with its long side from `request.imageSize`
 * ("1K" = 1024, "2K" = 2048, "4K" = 4096, default 1K); else 1024×1024.
 * Each side is rounded to a multiple of 8 and clamped to 16..4096, because
 * JPEG and most upstream models work in 8-pixel blocks.
 *
 * @example
 * outputSize({ aspectRatio: '16:9' });                 // { width: 1024, height: 576 }
 * outputSize({ aspectRatio: '1:1', imageSize: '2K' }); // { width: 2048, height: 2048 }
 */
export function outputSize(request: Pick<GenerationRequest, 'size' | 'aspectRatio' | 'imageSize'>): PixelSize {
  if (request.size) return clampSize(request.size);
  const longSide = longSideByTier[(request.imageSize ?? '1K').toUpperCase()] ?? 1024;
  const ratio = request.aspectRatio ? parseAspectRatio(request.aspectRatio) : undefined;
  if (!ratio || ratio === 1) return clampSize({ width: longSide, height: longSide });
  return ratio > 1 ? clampSize({ width: longSide, height: longSide / ratio }) : clampSize({ width: longSide * ratio, height: longSide });
}

/** Rounds each side to a multiple of 8 and clamps it to 16..4096. */
export function clampSize(size: PixelSize): PixelSize {
  return { width: clampSide(size.width), height: clampSide(size.height) };
}

function clampSide(side: number): number {
  const rounded = Math.round((Number.isFinite(side) ? side : 1024) / 8) * 8;
  return Math.min(maxSide, Math.max(minSide, rounded));
}

/**
 * Width divided by height for "16:9", "4:3", "1.91:1" or "square"; undefined
 * for anything else so callers can ignore a ratio they cannot read.
 */
export function parseAspectRatio(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'square') return 1;
  const ratio = parseRatio(trimmed);
  if (ratio === undefined) return undefined;
  // Ratios beyond 16:1 would collapse one side to the minimum; treat them as unreadable.
  return ratio >= 1 / 16 && ratio <= 16 ? ratio : undefined;
}
