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

/** The first thing `needs` asks that `capabilities` cannot do, or undefined when the model fits. */
export function missingCapability(capabilities: ModelCapabilities, needs: RequestNeeds): MissingCapability | undefined {
  if (needs.imageOutput && !capabilities.imageOutput) {
    return { capability: 'image output', param: 'model', reason: 'the request asks for an image' };
  }
  if (!needs.imageOutput && !capabilities.text) {
    return { capability: 'text answers', param: 'messages', reason: 'the request asks for a text answer' };
  }
  if (needs.imageInputs > 0 && !capabilities.imageInput) {
    return { capability: 'image input', param: 'messages', reason: 'the request carries image_url parts' };
  }
  if (needs.imageInputs > capabilities.maxInputImages) {
    return {
      capability: `${needs.imageInputs} input images (it accepts at most ${capabilities.maxInputImages})`,
      param: 'messages',
      reason: 'the request carries that many image_url parts',
    };
  }
  if (needs.tools && !capabilities.tools) return { capability: 'tool calling', param: 'tools', reason: 'the request has tools' };
  if (needs.jsonMode && !capabilities.jsonMode) {
    return { capability: 'JSON mode', param: 'response_format', reason: 'the request sets response_format' };
  }
  if (needs.promptTokens > capabilities.contextWindow) {
    return {
      capability: `a context window of about ${needs.promptTokens} tokens (it has ${capabilities.contextWindow})`,
      param: 'messages',
      reason: 'the prompt is that large',
    };
  }
  if (needs.reasoning && reasoningRank[capabilities.reasoning] < reasoningRank[needs.reasoning]) {
    return {
      capability: `reasoning level "${needs.reasoning}" (it offers "${capabilities.reasoning}")`,
      param: 'min_reasoning_level',
      reason: 'the request sets min_reasoning_level',
    };
  }
  if (needs.imageOutput && needs.images > capabilities.maxImagesPerRequest) {
    return {
      capability: `n=${needs.images} images per request (at most ${capabilities.maxImagesPerRequest})`,
      param: 'n',
      reason: 'the request sets n',
    };
  }
  return undefined;
}
