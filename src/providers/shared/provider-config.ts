import { z } from 'zod';

const capabilitiesOverride = z
  .object({
    imageOutput: z.boolean(),
    imageInput: z.boolean(),
    maxInputImages: z.int().min(0).max(16),
    text: z.boolean(),
    tools: z.boolean(),
    jsonMode: z.boolean(),
    contextWindow: z.int().positive(),
    reasoning: z.enum(['none', 'low', 'medium', 'high']),
    maxImagesPerRequest: z.int().min(1).max(10),
    aspectRatios: z.array(z.string()),
    sizes: z.array(z.string()),
  })
  .partial()
  .strict();

/** A model a provider instance should serve: a bare id, or an id with aliases and capability overrides. */
export const modelConfigSchema = z.union([
  z.string().min(1),
  z
    .object({ id: z.string().min(1), aliases: z.array(z.string().min(1)).optional(), capabilities: capabilitiesOverride.optional() })
    .strict(),
]);
export type ModelConfig = z.infer<typeof modelConfigSchema>;

/**
 * Settings every provider instance accepts. Type-specific settings pass
 * through (`.loose()`) and each provider validates its own.
 */
export const providerConfigSchema = z
  .object({
    type: z.enum(['local', 'gemini', 'openai', 'openai-chat', 'flux']),
    /** Instance name; defaults to the type. Two instances of one type need distinct names. */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be letters, digits, ".", "_" or "-"')
      .optional(),
    apiKey: z.string().min(1).optional(),
    baseURL: z.url({ protocol: /^https?$/ }).optional(),
    /** Replaces the provider's default model list. */
    models: z.array(modelConfigSchema).min(1).optional(),
    concurrency: z.int().min(1).max(10_000).optional(),
    /** Longest one generation may run, in ms (default 300 000). */
    timeoutMs: z.int().min(1).max(2_147_483_647, 'must be at most 2147483647 (Node timers clamp longer delays to 1 ms)').optional(),
    headers: z.record(z.string(), z.string()).optional(),
    /** Input images for this instance: converted to JPEG, or kept as sent (PNG/WebP/GIF). Default: images.convertToJpeg. */
    inputFormat: z.enum(['jpeg', 'original']).optional(),
  })
  .loose();
export type ProviderConfig = z.infer<typeof providerConfigSchema>;

/** Default generation deadline: users report 5–8 minute generations at peak. */
export const defaultGenerationTimeoutMs = 300_000;
