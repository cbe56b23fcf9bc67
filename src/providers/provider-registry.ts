import type { ImageProvider, ProviderContext } from '../provider.js';
import { createFluxProvider } from './flux/flux-provider.js';
import { createGeminiProvider } from './gemini/gemini-provider.js';
import { createLocalProvider } from './local/local-provider.js';
import { createOpenAIImagesProvider } from './openai/openai-images-provider.js';
import { createOpenAIChatProvider } from './openai-chat/openai-chat-provider.js';
import type { ProviderConfig } from './shared/provider-config.js';

/** Builds one provider instance from its validated config. */
export type ProviderFactory = (config: ProviderConfig, context: ProviderContext) => ImageProvider;

/** Provider types the gateway knows, by `type` in the config. */
export const providerFactories: Record<ProviderConfig['type'], ProviderFactory | undefined> = {
  local: createLocalProvider,
  gemini: createGeminiProvider,
  openai: createOpenAIImagesProvider,
  'openai-chat': createOpenAIChatProvider,
  flux: createFluxProvider,
};
