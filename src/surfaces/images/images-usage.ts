import type { GenerationUsage } from '../../provider.js';

/**
 * The Images API's `usage` from a provider's figures, as GPT image models
 * report it: input split into text and image tokens, output into image and
 * text tokens. A provider that reports nothing gets the gateway's estimate
 * of the prompt and no output.
 */
export function imagesUsage(usage: GenerationUsage | undefined, promptEstimate: number): Record<string, unknown> {
  const input = usage?.promptTokens ?? promptEstimate;
  const output = usage?.completionTokens ?? 0;
  const imageInput = usage?.promptImageTokens ?? 0;
  const imageOutput = usage?.imageTokens ?? output;
  return {
    input_tokens: input,
    input_tokens_details: { text_tokens: usage?.promptTextTokens ?? input - imageInput, image_tokens: imageInput },
    output_tokens: output,
    output_tokens_details: { image_tokens: imageOutput, text_tokens: Math.max(0, output - imageOutput) },
    total_tokens: usage?.totalTokens ?? input + output,
  };
}
