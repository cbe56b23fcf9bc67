import { maxImageSide, minImageSide, type PixelSize, parseAspectRatio } from '../../images/image-geometry.js';
import type { GenerationRequest } from '../../provider.js';

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
  return Math.min(maxImageSide, Math.max(minImageSide, rounded));
}
