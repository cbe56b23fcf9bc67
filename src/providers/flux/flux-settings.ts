import { z } from 'zod';
import { type ProviderConfig, providerConfigSchema } from '../shared/provider-config.js';
import { parseProviderSettings, requireCredentials } from '../shared/provider-settings.js';

/** FLUX-specific settings on top of the common provider config. */
export const fluxSettingsSchema = providerConfigSchema
  .extend({
    /** First wait between polls, in ms (BFL's own client polls every 500 ms). */
    pollIntervalMs: z.int().min(1).default(500),
    /** Longest wait between polls once backoff (×1.5) has grown it, in ms. */
    maxPollIntervalMs: z.int().min(1).default(4000),
    /** `output_format` when the request names none. */
    outputFormat: z.enum(['jpeg', 'png']).default('jpeg'),
    /** 0 (strict) to 6 (permissive); BFL caps it at 2 when input images are sent. */
    safetyTolerance: z.int().min(0).max(6).optional(),
    promptUpsampling: z.boolean().optional(),
  })
  .strict()
  .refine((settings) => settings.maxPollIntervalMs >= settings.pollIntervalMs, {
    message: 'must be at least pollIntervalMs',
    path: ['maxPollIntervalMs'],
  })
  .superRefine(requireCredentials('BFL_API_KEY'));

export type FluxSettings = z.infer<typeof fluxSettingsSchema>;

/**
 * Validates a FLUX instance's config; the error names each bad option.
 *
 * @example
 * parseFluxSettings({ type: 'flux', apiKey: process.env.BFL_API_KEY, pollIntervalMs: 1000 });
 */
export function parseFluxSettings(config: ProviderConfig): FluxSettings {
  return parseProviderSettings(fluxSettingsSchema, config, 'flux');
}
