import type { ModelCapabilities, ModelInfo } from '../../provider.js';
import { imageModelCapabilities, resolveModels } from '../shared/model-catalog.js';
import type { ModelConfig } from '../shared/provider-config.js';

/** Aspect ratios every Gemini image model accepts in `imageConfig.aspectRatio`. */
export const geminiAspectRatios = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];

/** The newer flash image models add the extreme ratios. */
const flashExtendedAspectRatios = [...geminiAspectRatios, '1:4', '4:1', '1:8', '8:1'];

/** What the request builder needs to know about a model beyond its public capabilities. */
export interface GeminiModelProfile {
  /** Accepts `generationConfig.imageConfig` (2.0 experimental models do not). */
  imageConfig: boolean;
  /** Accepts `imageConfig.imageSize`; 2.5 flash image silently ignores it, so it is not sent. */
  imageSize: boolean;
  /** Thinks, and can return thought summaries when `thinkingConfig.includeThoughts` is set. */
  thinking: boolean;
}

const gemini25Capabilities: ModelCapabilities = {
  ...imageModelCapabilities,
  maxInputImages: 3,
  text: true,
  contextWindow: 32_768,
  reasoning: 'none',
  // n images are n upstream calls, so the provider serves more than one per request.
  maxImagesPerRequest: 4,
  aspectRatios: geminiAspectRatios,
};

const gemini20Capabilities: ModelCapabilities = {
  ...gemini25Capabilities,
  aspectRatios: undefined,
};

const gemini3Capabilities: ModelCapabilities = {
  ...gemini25Capabilities,
  maxInputImages: 14,
  contextWindow: 65_536,
  reasoning: 'high',
  sizes: ['1K', '2K', '4K'],
};

/** The models a Gemini instance serves when its config lists none. */
export const geminiDefaultModels: readonly ModelInfo[] = [
  { id: 'gemini-2.5-flash-image', aliases: ['nano-banana'], capabilities: gemini25Capabilities },
  { id: 'gemini-3-pro-image-preview', capabilities: gemini3Capabilities },
  { id: 'gemini-3-pro-image', aliases: ['nano-banana-pro'], capabilities: gemini3Capabilities },
  {
    id: 'gemini-3.1-flash-image-preview',
    aliases: ['nano-banana-2'],
    capabilities: { ...gemini3Capabilities, aspectRatios: flashExtendedAspectRatios },
  },
  { id: 'gemini-2.0-flash-exp-image-generation', capabilities: gemini20Capabilities },
];

/**
 * Guesses a model's family from its name, so a configured model the gateway
 * has never heard of (`gemini-3.5-flash-image`) still gets sensible defaults.
 *
 * @example
 * geminiProfile('gemini-2.5-flash-image'); // { imageConfig: true, imageSize: false, thinking: false }
 */
export function geminiProfile(modelId: string): GeminiModelProfile {
  const id = modelId.toLowerCase();
  if (/gemini-(1\.|2\.0)/.test(id)) return { imageConfig: false, imageSize: false, thinking: false };
  if (/gemini-2\.5/.test(id)) return { imageConfig: true, imageSize: false, thinking: false };
  return { imageConfig: true, imageSize: true, thinking: true };
}

/** Capabilities for a configured model id that is not in the default list. */
export function geminiFallbackCapabilities(modelId: string): ModelCapabilities {
  const profile = geminiProfile(modelId);
  if (!profile.imageConfig) return gemini20Capabilities;
  return profile.imageSize ? gemini3Capabilities : gemini25Capabilities;
}

/** The models an instance serves: the defaults, or the configured list with per-name fallbacks. */
export function resolveGeminiModels(configured: readonly ModelConfig[] | undefined): ModelInfo[] {
  if (!configured) return resolveModels(geminiDefaultModels, undefined, gemini25Capabilities);
  return configured.flatMap((entry) => {
    const id = typeof entry === 'string' ? entry : entry.id;
    return resolveModels(geminiDefaultModels, [entry], geminiFallbackCapabilities(id));
  });
}
