import { z } from 'zod';
import { modelConfigSchema } from '../shared/provider-config.js';
import { baseUrlSchema } from '../shared/provider-settings.js';

/**
 * Settings of an `openai-chat` instance (any OpenAI-compatible relay).
 * There is no sensible default relay or model list, so `baseURL` and
 * `models` are required; `apiKey` is optional for keyless local servers.
 */
export const openAIChatSettingsSchema = z
  .object({
    apiKey: z.string().min(1).optional(),
    baseURL: z
      .string({
        error: (issue) =>
          issue.input === undefined ? "is required: the relay's API root, e.g. https://relay.example.com/v1" : 'must be a string',
      })
      .pipe(baseUrlSchema),
    models: z
      .array(modelConfigSchema, {
        error: (issue) =>
          issue.input === undefined
            ? 'is required: the model ids this relay serves, e.g. ["gpt-4o-image"] (OPENAI_CHAT_MODELS for the standalone server)'
            : 'must be a list of models',
      })
      .min(1, 'must list at least one model'),
    /** Send `modalities: ["image","text"]` when an image is wanted from an image model (OpenRouter, Vercel AI Gateway). */
    modalities: z.boolean().default(true),
    /** Forward `size` and `image_config` {aspect_ratio, image_size} to image models. */
    imageOptions: z.boolean().default(true),
  })
  .loose();

export type OpenAIChatSettings = z.output<typeof openAIChatSettingsSchema>;
