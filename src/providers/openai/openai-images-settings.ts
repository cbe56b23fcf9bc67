import { z } from 'zod';
import { baseUrlSchema } from '../shared/provider-settings.js';

export const openAIDefaultBaseURL = 'https://api.openai.com';

/**
 * Settings of an `openai` instance beyond the common provider config.
 * `apiKey` is required when talking to api.openai.com itself; a custom
 * `baseURL` (a relay, a proxy) may not need one.
 */
export const openAIImagesSettingsSchema = z
  .object({
    apiKey: z.string().min(1).optional(),
    baseURL: baseUrlSchema.default(openAIDefaultBaseURL),
    /** Sent as `OpenAI-Organization` / `OpenAI-Project`. */
    organization: z.string().min(1).optional(),
    project: z.string().min(1).optional(),
    /** Partial images asked for when streaming GPT image models (0–3). */
    partialImages: z.int().min(0, 'must be 0 to 3').max(3, 'must be 0 to 3').default(2),
    /** `moderation` for GPT image models ("low" is less strict). */
    moderation: z.enum(['auto', 'low']).optional(),
    /** How dall-e models return images; b64_json saves a download of an expiring URL. */
    dalleResponseFormat: z.enum(['b64_json', 'url']).default('b64_json'),
  })
  .loose()
  .superRefine((settings, context) => {
    if (!settings.apiKey && settings.baseURL === openAIDefaultBaseURL) {
      context.addIssue({
        code: 'custom',
        path: ['apiKey'],
        message: `is required for ${openAIDefaultBaseURL} (set apiKey or OPENAI_API_KEY)`,
      });
    }
  });

export type OpenAIImagesSettings = z.output<typeof openAIImagesSettingsSchema>;
