import type { ImageProvider, ProviderContext } from '../provider.js';
import { providerFactories } from './provider-registry.js';
import type { ProviderConfig } from './shared/provider-config.js';

/** Builds every configured instance; a config error names the option (`options.providers[1]...`). */
export function buildProviders(configs: readonly (ProviderConfig | ImageProvider)[], context: ProviderContext): ImageProvider[] {
  const providers: ImageProvider[] = [];
  const names = new Set<string>();
  configs.forEach((config, index) => {
    const name = isProviderObject(config) ? config.id : (config.name ?? config.type);
    const settings = config as ProviderConfig;
    if (names.has(name)) {
      throw new TypeError(
        `Invalid image-gateway options: options.providers[${index}].name: "${name}" is used by another instance; give each instance of one type a distinct name.`,
      );
    }
    names.add(name);
    if (isProviderObject(config)) {
      providers.push(config);
      return;
    }
    const factory = providerFactories[(config as ProviderConfig).type];
    if (!factory)
      throw new TypeError(`Invalid image-gateway options: options.providers[${index}].type: "${settings.type}" is not available.`);
    try {
      providers.push(factory({ ...settings, name }, context));
    } catch (error) {
      throw new TypeError(`Invalid image-gateway options: options.providers[${index}] (${name}): ${(error as Error).message}`);
    }
  });
  return providers;
}

function isProviderObject(config: ProviderConfig | ImageProvider): config is ImageProvider {
  return typeof (config as ImageProvider).generate === 'function';
}
