import type { GenerationUsage } from '../../provider.js';

/** OpenAI `usage` from a provider's figures (seed 004 adds prompt_tokens_details and completion_tokens_details). */
export function toOpenAIUsage(usage: GenerationUsage | undefined, promptEstimate: number): Record<string, unknown> {
  const prompt = usage?.promptTokens ?? promptEstimate;
  const completion = usage?.completionTokens ?? 0;
  const result: Record<string, unknown> = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage?.totalTokens ?? prompt + completion,
  };
  if (usage?.promptTextTokens !== undefined || usage?.promptImageTokens !== undefined || usage?.promptCachedTokens !== undefined) {
    const details: Record<string, number> = {};
    if (usage.promptTextTokens !== undefined) details.text_tokens = usage.promptTextTokens;
    if (usage.promptImageTokens !== undefined) details.image_tokens = usage.promptImageTokens;
    if (usage.promptCachedTokens !== undefined) details.cached_tokens = usage.promptCachedTokens;
    result.prompt_tokens_details = details;
  }
  if (usage?.imageTokens !== undefined || usage?.reasoningTokens !== undefined) {
    const details: Record<string, number> = {};
    if (usage.reasoningTokens !== undefined) details.reasoning_tokens = usage.reasoningTokens;
    if (usage.imageTokens !== undefined) details.image_tokens = usage.imageTokens;
    result.completion_tokens_details = details;
  }
  return result;
}
