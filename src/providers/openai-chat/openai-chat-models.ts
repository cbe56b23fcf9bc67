import type { ModelCapabilities, ModelInfo } from '../../provider.js';
import { imageModelCapabilities, resolveModels } from '../shared/model-catalog.js';
import type { ModelConfig } from '../shared/provider-config.js';

/** Names relays give image models (gpt-4o-image, nano-banana, flux-kontext-pro, doubao-seedream-4-0, ...). */
const imageModelName = /image|dall-e|flux|banana|seedream|seededit|sora|recraft|qwen-image|imagen/i;

const relayImageCapabilities: ModelCapabilities = { ...imageModelCapabilities, text: true, imageInput: true, maxInputImages: 10 };

const relayChatCapabilities: ModelCapabilities = {
  imageOutput: false,
  imageInput: true,
  maxInputImages: 10,
  text: true,
  tools: true,
  jsonMode: true,
  contextWindow: 128_000,
  reasoning: 'none',
  maxImagesPerRequest: 1,
};

/**
 * What a relay model probably does, guessed from its name: image models
 * draw, edit and talk; anything else is a vision chat model with tools and
 * JSON mode. Config `capabilities` override the guess per model.
 *
 * @example
 * guessRelayCapabilities('gpt-4o-image').imageOutput; // true
 */
export function guessRelayCapabilities(modelId: string): ModelCapabilities {
  return { ...(imageModelName.test(modelId) ? relayImageCapabilities : relayChatCapabilities) };
}

/** The configured models with guessed capabilities and their overrides applied. */
export function resolveRelayModels(configured: readonly ModelConfig[]): ModelInfo[] {
  return configured.flatMap((entry) => resolveModels([], [entry], guessRelayCapabilities(typeof entry === 'string' ? entry : entry.id)));
}
