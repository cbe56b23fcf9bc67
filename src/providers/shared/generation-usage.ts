import type { GenerationUsage } from '../../provider.js';

/**
 * Adds two usages, either of which may be missing: a provider that makes
 * several upstream calls for one request (`n` images) reports their sum.
 * A figure neither usage has stays absent.
 *
 * @example
 * addUsage({ promptTokens: 10, completionTokens: 5 }, { promptTokens: 10, completionTokens: 7 }); // 20 and 12
 */
export function addUsage(total: GenerationUsage | undefined, next: GenerationUsage | undefined): GenerationUsage | undefined {
  if (!total || !next) return total ?? next;
  const sum: GenerationUsage = {
    promptTokens: total.promptTokens + next.promptTokens,
    completionTokens: total.completionTokens + next.completionTokens,
  };
  for (const key of optionalFigures) {
    if (total[key] !== undefined || next[key] !== undefined) sum[key] = (total[key] ?? 0) + (next[key] ?? 0);
  }
  return sum;
}

const optionalFigures = [
  'totalTokens',
  'imageTokens',
  'reasoningTokens',
  'promptTextTokens',
  'promptImageTokens',
  'promptCachedTokens',
] as const;

type PromptDetails = Pick<GenerationUsage, 'promptTextTokens' | 'promptImageTokens' | 'promptCachedTokens'>;

/** The prompt's split into text and image tokens, and its cached share, with only the figures the upstream gave. */
export function promptDetails(textTokens: unknown, imageTokens: unknown, cachedTokens?: unknown): PromptDetails {
  const details: PromptDetails = {};
  if (typeof textTokens === 'number') details.promptTextTokens = textTokens;
  if (typeof imageTokens === 'number') details.promptImageTokens = imageTokens;
  if (typeof cachedTokens === 'number') details.promptCachedTokens = cachedTokens;
  return details;
}
