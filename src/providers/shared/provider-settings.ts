import { z } from 'zod';
import type { ProviderConfig } from './provider-config.js';

/**
 * An http(s) API root. Credentials in the URL are refused: fetch rejects
 * them with a message that repeats the URL, so they would leak into errors.
 */
export const baseUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .refine((value) => !/^https?:\/\/[^/]*@/i.test(value), 'must not contain credentials (use apiKey or headers)');

/**
 * Validates the settings of one provider instance against its type's
 * schema: the one parser every provider uses. The error names the instance
 * and each offending option; schemas quote a value only where it cannot be
 * a credential.
 *
 * @example
 * const settings = parseProviderSettings(openAIImagesSettingsSchema, config, 'openai');
 * // throws: invalid openai provider config "openai": apiKey: is required for https://api.openai.com (...)
 */
export function parseProviderSettings<Schema extends z.ZodType>(schema: Schema, config: ProviderConfig, type: string): z.output<Schema> {
  const result = schema.safeParse(config);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`);
  throw new Error(`invalid ${type} provider config "${config.name ?? type}": ${problems.join('; ')}`);
}

/**
 * A refinement for providers that cannot work without a credential: an
 * `apiKey`, or `headers` that carry one (a proxy's own auth).
 *
 * @example
 * const schema = providerConfigSchema.extend({ ... }).superRefine(requireCredentials('GEMINI_API_KEY'));
 */
export function requireCredentials(environmentVariable: string) {
  return (settings: { apiKey?: string; headers?: Record<string, string> }, context: z.RefinementCtx): void => {
    if (!settings.apiKey && !settings.headers) {
      context.addIssue({ code: 'custom', path: ['apiKey'], message: `is required (${environmentVariable})` });
    }
  };
}
