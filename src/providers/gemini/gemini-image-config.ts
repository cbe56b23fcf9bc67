import { nearestAspectRatio, parseAspectRatio } from '../../images/image-geometry.js';
import type { GenerationRequest } from '../../provider.js';
import { type GeminiModelProfile, geminiAspectRatios } from './gemini-models.js';

/** `generationConfig.imageConfig` of the Gemini Developer API: exactly these two fields. */
export interface GeminiImageConfig {
  aspectRatio?: string;
  imageSize?: string;
}

/** Resolution tier for an explicit pixel size: the tier whose long edge first covers it. */
function imageSizeForPixels(size: { width: number; height: number }): string | undefined {
  const longEdge = Math.max(size.width, size.height);
  if (longEdge > 2816) return '4K';
  if (longEdge > 1536) return '2K';
  return undefined;
}

/**
 * Maps the request's size wishes onto `imageConfig`: the aspect ratio (given
 * or derived from `size`) snapped to one the model accepts, and the
 * resolution tier only for models that honour it.
 */
export function geminiImageConfig(
  request: Pick<GenerationRequest, 'aspectRatio' | 'size' | 'imageSize'>,
  profile: GeminiModelProfile,
  aspectRatios: readonly string[] | undefined,
): GeminiImageConfig | undefined {
  if (!profile.imageConfig) return undefined;
  const config: GeminiImageConfig = {};
  const ratios = aspectRatios && aspectRatios.length > 0 ? aspectRatios : geminiAspectRatios;
  const wanted = request.aspectRatio
    ? parseAspectRatio(request.aspectRatio)
    : request.size
      ? request.size.width / request.size.height
      : undefined;
  if (wanted !== undefined) config.aspectRatio = nearestAspectRatio(wanted, ratios);
  if (profile.imageSize) {
    const tier = request.imageSize ? request.imageSize.trim().toUpperCase() : request.size ? imageSizeForPixels(request.size) : undefined;
    if (tier) config.imageSize = tier;
  }
  return config.aspectRatio || config.imageSize ? config : undefined;
}
