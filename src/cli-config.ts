import type { GatewayOptions } from './options.js';
import type { ProviderConfig } from './providers/shared/provider-config.js';

type Environment = Record<string, string | undefined>;

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/**
 * Providers from the environment. Each variable adds one instance; with
 * none set, the embedded local engine serves alone.
 */
export function providersFromEnvironment(environment: Environment): ProviderConfig[] {
  const providers: ProviderConfig[] = [];
  if (environment.GEMINI_API_KEY) {
    providers.push({ type: 'gemini', apiKey: environment.GEMINI_API_KEY, baseURL: environment.GEMINI_BASE_URL || undefined });
  }
  if (environment.OPENAI_API_KEY) {
    providers.push({ type: 'openai', apiKey: environment.OPENAI_API_KEY, baseURL: environment.OPENAI_BASE_URL || undefined });
  }
  if (environment.OPENAI_CHAT_BASE_URL) {
    const models = list(environment.OPENAI_CHAT_MODELS);
    providers.push({
      type: 'openai-chat',
      apiKey: environment.OPENAI_CHAT_API_KEY || environment.OPENAI_API_KEY || undefined,
      baseURL: environment.OPENAI_CHAT_BASE_URL,
      models: models.length > 0 ? models : undefined,
    });
  }
  if (environment.BFL_API_KEY) {
    providers.push({ type: 'flux', apiKey: environment.BFL_API_KEY, baseURL: environment.BFL_BASE_URL || undefined });
  }
  if (providers.length === 0 || environment.LOCAL_ENGINE === '1') providers.push({ type: 'local' });
  return providers;
}

/** Options for the standalone server: a JSON config file (if any) over the environment, with metrics on. */
export function optionsFromEnvironment(environment: Environment, fileOptions: GatewayOptions | undefined): GatewayOptions {
  const apiKeys = list(environment.GATEWAY_API_KEYS);
  return {
    providers: providersFromEnvironment(environment),
    // The standalone server is what people try first: its page is on unless PLAYGROUND=0 or the config file says no.
    playground: environment.PLAYGROUND !== '0',
    ...(apiKeys.length > 0 ? { apiKeys } : {}),
    ...(environment.REDIS_URL ? { store: { type: 'redis' as const, url: environment.REDIS_URL } } : {}),
    ...hostedFilesFromEnvironment(environment),
    // GET /metrics, behind the gateway keys when there are any; a config file's "metrics" wins.
    metrics: true,
    ...fileOptions,
    // The file's `images` fields on top of the environment's, not instead of them.
    ...(environment.IMAGE_DELIVERY ? { images: { delivery: environment.IMAGE_DELIVERY as 'inline' | 'url', ...fileOptions?.images } } : {}),
  };
}

/** Where hosted image links point (URL delivery, `IMAGE_DELIVERY=url`); a bad value reaches the options check, which names it. */
function hostedFilesFromEnvironment(environment: Environment): GatewayOptions {
  const options: GatewayOptions = {};
  if (environment.PUBLIC_URL) options.publicUrl = environment.PUBLIC_URL;
  if (environment.TRUST_PROXY === '1') options.trustProxy = true;
  return options;
}
