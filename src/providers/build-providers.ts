import { type ImageProvider, providerSpecificationVersions } from '../provider.js';
import { createFluxProvider } from './flux/flux-provider.js';
import { createGeminiProvider } from './gemini/gemini-provider.js';
import { createLocalProvider } from './local/local-provider.js';
import { createOpenAIImagesProvider } from './openai/openai-images-provider.js';
import { createOpenAIChatProvider } from './openai-chat/openai-chat-provider.js';
import type { ProviderConfig } from './shared/provider-config.js';
import type { ProviderContext } from './shared/provider-context.js';

/** Builds one provider instance from its validated config. */
export type ProviderFactory = (config: ProviderConfig, context: ProviderContext) => ImageProvider;

/** Provider types the gateway knows, by `type` in the config. */
const providerFactories: Record<ProviderConfig['type'], ProviderFactory | undefined> = {
  local: createLocalProvider,
  gemini: createGeminiProvider,
  openai: createOpenAIImagesProvider,
  'openai-chat': createOpenAIChatProvider,
  flux: createFluxProvider,
};

/**
 * Builds every configured instance, and takes your own `ImageProvider`
 * objects as they are once their contract version is one the gateway
 * implements. A config error names the option (`options.providers[1]...`).
 *
 * @example
 * const providers = buildProviders([{ type: 'local' }, myProvider], defaultProviderContext());
 */
export function buildProviders(configs: readonly (ProviderConfig | ImageProvider)[], context: ProviderContext): ImageProvider[] {
  const providers: ImageProvider[] = [];
  const names = new Set<string>();
  configs.forEach((config, index) => {
    const where = `Invalid image-gateway options: options.providers[${index}]`;
    const name = isProviderObject(config) ? config.id : (config.name ?? config.type);
    if (names.has(name)) {
      throw new TypeError(`${where}.name: "${name}" is used by another instance; give each instance of one type a distinct name.`);
    }
    names.add(name);
    if (isProviderObject(config)) {
      const version = config.specificationVersion;
      if (version !== undefined && !providerSpecificationVersions.includes(version)) {
        throw new TypeError(
          `${where}.specificationVersion: ${JSON.stringify(version)} is not a version of the provider contract this gateway implements (${providerSpecificationVersions.join(', ')}).`,
        );
      }
      providers.push(config);
      return;
    }
    const factory = providerFactories[config.type];
    if (!factory) throw new TypeError(`${where}.type: "${config.type}" is not available.`);
    try {
      providers.push(factory({ ...config, name }, context));
    } catch (error) {
      throw new TypeError(`${where} (${name}): ${(error as Error).message}`);
    }
  });
  return providers;
}

function isProviderObject(config: ProviderConfig | ImageProvider): config is ImageProvider {
  return typeof (config as ImageProvider).generate === 'function';
}
