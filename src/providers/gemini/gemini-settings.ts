import { z } from 'zod';
import { type ProviderConfig, providerConfigSchema } from '../shared/provider-config.js';

const safetySettingSchema = z.object({ category: z.string().min(1), threshold: z.string().min(1) }).strict();

/** Gemini-specific settings on top of the common provider config. */
export const geminiSettingsSchema = providerConfigSchema
  .extend({
    /** API version path segment; left out when `baseURL` already ends with one. */
    apiVersion: z
      .string()
      .regex(/^v\d+(alpha|beta)?$/, 'must look like "v1beta"')
      .default('v1beta'),
    /** Ask thinking models for thought summaries (streamed as reasoning). */
    includeThoughts: z.boolean().default(true),
    /** Sent as `safetySettings`; Google's image filters still apply whatever they say. */
    safetySettings: z.array(safetySettingSchema).optional(),
  })
  .strict();

export type GeminiSettings = z.infer<typeof geminiSettingsSchema>;

/**
 * Validates a Gemini instance's config; the error names each bad option.
 *
 * @example
 * parseGeminiSettings({ type: 'gemini', apiKey: process.env.GEMINI_API_KEY });
 */
export function parseGeminiSettings(config: ProviderConfig): GeminiSettings {
  const result = geminiSettingsSchema.safeParse(config);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`);
    throw new Error(`Invalid gemini provider config "${config.name ?? 'gemini'}": ${problems.join('; ')}`);
  }
  if (!result.data.apiKey && !result.data.headers) {
    throw new Error(`Invalid gemini provider config "${config.name ?? 'gemini'}": apiKey is required (GEMINI_API_KEY)`);
  }
  return result.data;
}
