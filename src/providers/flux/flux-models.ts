import type { ModelCapabilities, ModelInfo } from '../../provider.js';
import { imageModelCapabilities, resolveModels } from '../shared/model-catalog.js';
import type { ModelConfig } from '../shared/provider-config.js';

/** How a FLUX model takes its size and its reference images. */
export interface FluxModelProfile {
  /** `aspect_ratio` (Kontext, Ultra) or `width`/`height` (FLUX 1.1, dev, FLUX.2). */
  sizing: 'aspect-ratio' | 'dimensions';
  /** Width and height must be multiples of this (32 for FLUX 1.x, 16 for FLUX.2). */
  dimensionStep: number;
  /** Smallest and largest edge, and the pixel budget, for `width`/`height` models. */
  minEdge: number;
  maxEdge: number;
  maxPixels: number;
  /** `input_image`, `input_image_2`, ... the model accepts; 0 when it takes none. */
  maxInputImages: number;
}

/**
 * A model's profile from its name, so configured models the gateway does not
 * know (`flux-2-klein-9b`) still get the right request shape.
 *
 * @example
 * fluxProfile('flux-kontext-pro').sizing; // "aspect-ratio"
 */
export function fluxProfile(modelId: string): FluxModelProfile {
  const id = modelId.toLowerCase();
  const aspect = { sizing: 'aspect-ratio', dimensionStep: 32, minEdge: 256, maxEdge: 2048, maxPixels: 4_194_304 } as const;
  if (id.includes('kontext')) return { ...aspect, maxInputImages: 4 };
  if (id.includes('ultra')) return { ...aspect, maxInputImages: 0 };
  if (id.startsWith('flux-2')) {
    const maxInputImages = id.includes('klein') ? 4 : 8;
    return { sizing: 'dimensions', dimensionStep: 16, minEdge: 64, maxEdge: 4096, maxPixels: 4_194_304, maxInputImages };
  }
  return { sizing: 'dimensions', dimensionStep: 32, minEdge: 256, maxEdge: 1440, maxPixels: 1440 * 1440, maxInputImages: 0 };
}

/** Capabilities that follow from a model's profile. */
export function fluxCapabilities(modelId: string): ModelCapabilities {
  const profile = fluxProfile(modelId);
  return {
    ...imageModelCapabilities,
    imageInput: profile.maxInputImages > 0,
    maxInputImages: profile.maxInputImages,
    // n images are n submits.
    maxImagesPerRequest: 4,
  };
}

const defaultIds = [
  'flux-kontext-pro',
  'flux-kontext-max',
  'flux-pro-1.1',
  'flux-pro-1.1-ultra',
  'flux-dev',
  'flux-2-pro',
  'flux-2-max',
  'flux-2-flex',
];

/** The models a FLUX instance serves when its config lists none. */
export const fluxDefaultModels: readonly ModelInfo[] = defaultIds.map((id) => ({
  id,
  ...(id === 'flux-kontext-pro' ? { aliases: ['flux-kontext'] } : {}),
  capabilities: fluxCapabilities(id),
}));

/** The defaults, or the configured list with capabilities guessed from each name. */
export function resolveFluxModels(configured: readonly ModelConfig[] | undefined): ModelInfo[] {
  if (!configured) return resolveModels(fluxDefaultModels, undefined, imageModelCapabilities);
  return configured.flatMap((entry) => {
    const id = typeof entry === 'string' ? entry : entry.id;
    return resolveModels(fluxDefaultModels, [entry], fluxCapabilities(id));
  });
}
