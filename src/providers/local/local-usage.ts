import type { PixelSize } from '../../images/image-geometry.js';
import type { GenerationRequest, GenerationUsage } from '../../provider.js';

/** Gemini bills each input image at a flat 258 tokens; the local engine reports the same so dashboards look alike. */
const tokensPerInputImage = 258;

export interface UsageInput {
  request: Pick<GenerationRequest, 'prompt' | 'system' | 'messages' | 'inputImages'>;
  /** Sizes of the images produced. */
  images: readonly PixelSize[];
  /** Text and reasoning the engine emitted. */
  text: string;
  reasoning: string;
}

/**
 * An honest estimate, since nothing here is billed: text at about four
 * characters per token (the usual rule of thumb for English), 258 tokens
 * per input image, and each output image by OpenAI's tile formula,
 * 85 + 170 × the number of 512-pixel tiles that cover it.
 *
 * @example
 * estimateUsage({ request, images: [{ width: 1024, height: 1024 }], text: '', reasoning: '' }).imageTokens; // 765
 */
export function estimateUsage(input: UsageInput): GenerationUsage {
  const { request } = input;
  const promptText =
    request.messages.length > 0 ? request.messages.map((message) => message.text).join('\n') : `${request.system ?? ''}\n${request.prompt}`;
  const promptTextTokens = textTokens(promptText);
  const promptImageTokens = tokensPerInputImage * request.inputImages.length;
  const promptTokens = promptTextTokens + promptImageTokens;
  const imageTokens = input.images.reduce((sum, size) => sum + imageTokensFor(size), 0);
  const reasoningTokens = textTokens(input.reasoning);
  const completionTokens = imageTokens + reasoningTokens + textTokens(input.text);
  return {
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
    imageTokens,
    reasoningTokens,
    promptTextTokens,
    ...(promptImageTokens > 0 ? { promptImageTokens } : {}),
  };
}

function textTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** OpenAI's tile formula: 85 base tokens plus 170 per 512×512 tile. */
export function imageTokensFor(size: PixelSize): number {
  return 85 + 170 * Math.ceil(size.width / 512) * Math.ceil(size.height / 512);
}
