import type { ImageProvider } from '../../provider.js';
import type { ProviderConfig } from './provider-config.js';

/**
 * Every credential the configured provider instances send upstream: API
 * keys, the values of credential headers (`Authorization` and its token
 * alone, `X-Api-Key`, `Cookie`...), and the user info
 * and key-like query values of a `baseURL`. The gateway redacts them from
 * any error text an upstream sends back. A custom provider object
 * contributes the `secrets` it declares.
 */
export function providerSecrets(configs: readonly (ProviderConfig | ImageProvider)[]): string[] {
  const secrets: string[] = [];
  for (const config of configs) {
    if (typeof (config as ImageProvider).generate === 'function') {
      secrets.push(...declaredSecrets((config as ImageProvider).secrets));
      continue;
    }
    const settings = config as ProviderConfig;
    if (settings.apiKey) secrets.push(settings.apiKey);
    for (const [name, value] of Object.entries(settings.headers ?? {})) {
      if (!credentialHeader.test(name)) continue;
      secrets.push(value);
      // "Bearer <token>": an upstream quotes the token alone as readily as the whole value.
      const token = /^(?:proxy-)?authorization$/i.test(name) ? /^\s*\S+\s+(\S+)\s*$/.exec(value)?.[1] : undefined;
      if (token) secrets.push(token);
    }
    if (settings.baseURL) secrets.push(...urlSecrets(settings.baseURL));
  }
  return secrets;
}

/** A custom provider's `secrets`, if it declared an array of them; anything but strings is ignored. */
function declaredSecrets(secrets: unknown): string[] {
  return Array.isArray(secrets) ? secrets.filter((secret): secret is string => typeof secret === 'string' && secret !== '') : [];
}

/** Headers that carry a credential; `Content-Type` or OpenRouter's `X-Title` are no secret and stay readable. */
const credentialHeader = /auth|key|token|secret|cookie|session|signature|password/i;

function urlSecrets(address: string): string[] {
  const url = URL.parse(address);
  if (!url) return [];
  // Both forms: an upstream may quote the URL as sent or as decoded.
  const secrets = [url.username, url.password, decoded(url.username), decoded(url.password)];
  for (const [name, value] of url.searchParams) if (/key|token|secret|sig|auth/i.test(name)) secrets.push(value);
  return secrets.filter((secret) => secret !== '');
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
