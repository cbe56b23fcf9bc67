import { UpstreamError } from '../../errors/upstream-error.js';
import type { ModelCapabilities, ModelInfo } from '../../provider.js';
import type { ModelConfig } from './provider-config.js';

/** Capabilities of a typical image model; providers start from this and change what differs. */
export const imageModelCapabilities: ModelCapabilities = {
  imageOutput: true,
  imageInput: true,
  maxInputImages: 10,
  text: false,
  tools: false,
  jsonMode: false,
  contextWindow: 32_000,
  reasoning: 'none',
  maxImagesPerRequest: 1,
};

/**
 * The models an instance serves: its defaults, or the configured list where
 * each entry takes the default's capabilities when the id is known and
 * `fallback` otherwise, then applies its own overrides.
 */
export function resolveModels(
  defaults: readonly ModelInfo[],
  configured: readonly ModelConfig[] | undefined,
  fallback: ModelCapabilities,
): ModelInfo[] {
  if (!configured) return defaults.map((model) => ({ ...model, capabilities: { ...model.capabilities } }));
  return configured.map((entry) => {
    const id = typeof entry === 'string' ? entry : entry.id;
    const known = defaults.find((model) => model.id === id);
    const base = known?.capabilities ?? fallback;
    const declared = typeof entry === 'string' ? undefined : entry.capabilities;
    const model: ModelInfo =
      typeof entry === 'string'
        ? { id, aliases: known?.aliases, capabilities: { ...base } }
        : { id, aliases: entry.aliases ?? known?.aliases, capabilities: { ...base, ...declared } };
    // An id the provider does not know took `fallback`: a guess, except where the config declares a capability.
    if (!known) model.guessed = (Object.keys(fallback) as (keyof ModelCapabilities)[]).filter((name) => declared?.[name] === undefined);
    return model;
  });
}

/** The model `name` names among an instance's models (by id or alias); an unknown one is a `not_found` upstream error. */
export function findServedModel(models: readonly ModelInfo[], name: string, provider: string): ModelInfo {
  const model = models.find((candidate) => candidate.id === name || candidate.aliases?.includes(name));
  if (!model) throw new UpstreamError({ provider, kind: 'not_found', message: `model "${name}" is not served by this instance` });
  return model;
}
