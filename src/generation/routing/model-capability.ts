import type { ModelCapabilities } from '../../provider.js';
import type { RequestNeeds } from '../request-needs.js';

const reasoningRank = { none: 0, low: 1, medium: 2, high: 3 } as const;

export interface MissingCapability {
  /** What is missing, for the message: "tool calling", "image input", ... */
  capability: string;
  /** The request field that asked for it. */
  param: string;
  reason: string;
}

/**
 * The first thing `needs` asks that `capabilities` cannot do, or undefined
 * when the model fits. Capabilities listed in `unchecked` (a named model's
 * guessed ones) are taken as able: only what is declared refuses.
 *
 * @example
 * missingCapability(route.model.capabilities, needs, route.model.guessed); // only what the config declares can refuse
 */
export function missingCapability(
  capabilities: ModelCapabilities,
  needs: RequestNeeds,
  unchecked: readonly (keyof ModelCapabilities)[] = [],
): MissingCapability | undefined {
  const declared = unchecked.length === 0 ? capabilities : withGuessesAllowed(capabilities, unchecked);
  if (needs.imageOutput && !declared.imageOutput) {
    return { capability: 'image output', param: 'model', reason: 'the request asks for an image' };
  }
  if (!needs.imageOutput && !declared.text) {
    return { capability: 'text answers', param: 'messages', reason: 'the request asks for a text answer' };
  }
  if (needs.imageInputs > 0 && !declared.imageInput) {
    return { capability: 'image input', param: 'messages', reason: 'the request carries image_url parts' };
  }
  if (needs.imageInputs > declared.maxInputImages) {
    return {
      capability: `${needs.imageInputs} input images (it accepts at most ${declared.maxInputImages})`,
      param: 'messages',
      reason: 'the request carries that many image_url parts',
    };
  }
  if (needs.tools && !declared.tools) return { capability: 'tool calling', param: 'tools', reason: 'the request has tools' };
  if (needs.jsonMode && !declared.jsonMode) {
    return { capability: 'JSON mode', param: 'response_format', reason: 'the request sets response_format' };
  }
  if (needs.promptTokens > declared.contextWindow) {
    return {
      capability: `a context window of about ${needs.promptTokens} tokens (it has ${declared.contextWindow})`,
      param: 'messages',
      reason: 'the prompt is that large',
    };
  }
  if (needs.reasoning && reasoningRank[declared.reasoning] < reasoningRank[needs.reasoning]) {
    return {
      capability: `reasoning level "${needs.reasoning}" (it offers "${declared.reasoning}")`,
      param: 'min_reasoning_level',
      reason: 'the request sets min_reasoning_level',
    };
  }
  if (needs.imageOutput && needs.images > declared.maxImagesPerRequest) {
    return {
      capability: `n=${needs.images} images per request (at most ${declared.maxImagesPerRequest})`,
      param: 'n',
      reason: 'the request sets n',
    };
  }
  return undefined;
}

/** The capabilities with every guessed one set to its most able value: a guess never refuses. */
function withGuessesAllowed(capabilities: ModelCapabilities, guessed: readonly (keyof ModelCapabilities)[]): ModelCapabilities {
  const able: ModelCapabilities = Object.assign({}, capabilities);
  for (const name of guessed) {
    if (name === 'contextWindow' || name === 'maxInputImages' || name === 'maxImagesPerRequest') able[name] = Number.POSITIVE_INFINITY;
    else if (name === 'reasoning') able.reasoning = 'high';
    else if (name === 'aspectRatios' || name === 'sizes') able[name] = undefined;
    else able[name] = true;
  }
  return able;
}
