import type { GenerationRequest } from '../../request/generation-request.js';
import { type GeminiModelProfile, geminiAspectRatios } from './gemini-models.js';

/** `generationConfig.imageConfig` of the Gemini Developer API: exactly these two fields. */
export interface GeminiImageConfig {
  aspectRatio?: string;
  imageSize?: string;
}

/** Parses "16:9" (or "16x9") into a width/height quotient. */
export function parseAspectRatio(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*[:x/]\s*(\d+(?:\.\d+)?)\s*$/i.exec(value);
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  return width > 0 && height > 0 ? width / height : undefined;
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
