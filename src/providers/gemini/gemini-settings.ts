import { z } from 'zod';
import { type ProviderConfig, providerConfigSchema } from '../shared/provider-config.js';
import { parseProviderSettings, requireCredentials } from '../shared/provider-settings.js';

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
  .strict()
  .superRefine(requireCredentials('GEMINI_API_KEY'));

export type GeminiSettings = z.infer<typeof geminiSettingsSchema>;

/**
 * Validates a Gemini instance's config; the error names each bad option.
 *
 * @example
 * parseGeminiSettings({ type: 'gemini', apiKey: process.env.GEMINI_API_KEY });
 */
export function parseGeminiSettings(config: ProviderConfig): GeminiSettings {
  return parseProviderSettings(geminiSettingsSchema, config, 'gemini');
}
