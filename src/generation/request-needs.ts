import type { ReasoningLevel } from '../provider.js';

/** What a request needs from a model (seed 002's capability table); each surface reads it from its own wire format. */
export interface RequestNeeds {
  imageOutput: boolean;
  imageInputs: number;
  tools: boolean;
  jsonMode: boolean;
  /** Estimated prompt size in tokens. */
  promptTokens: number;
  reasoning?: ReasoningLevel;
  /** Images asked for (`n`). */
  images: number;
}

/** What an input image costs in tokens, as Gemini bills it: rough, like the text estimate. */
const tokensPerImage = 258;

/**
 * A prompt's size in tokens, roughly: four characters a token and 258 an
 * image. Good enough to rule out models whose window is clearly too small.
 *
 * @example
 * estimatePromptTokens(4000, 2); // 1516
 */
export function estimatePromptTokens(characters: number, images: number): number {
  return Math.ceil(characters / 4) + images * tokensPerImage;
}
