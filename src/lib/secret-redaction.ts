import { SecretEchoes } from './secret-echoes.js';

/** Rewrites text so no credential in it reaches a client or a log line. */
export type RedactSecrets = (text: string) => string;

const redacted = '[redacted]';

/**
 * The key shapes upstreams echo back whatever the gateway is configured with:
 * OpenAI's `sk-…`/`rk-…` (whole or masked as `sk-...abcd`), Google's `AIza…`,
 * a bearer or basic credential, and the value after "API key provided:".
 * Each is specific enough to leave ordinary prose alone ("Basic
 * authentication is not supported", "scikit sk-learn"), and each runs in
 * linear time: upstream text is hostile input.
 */
const keyShapes: readonly [RegExp, string][] = [
  [/\b(?:sk|rk)-[\w*.-]{6,}/gi, redacted],
  [/\bAIza[\w-]{10,}/g, redacted],
  // A token's own alphabet (RFC 6750) with a digit in it, which "Bearer authentication" has not.
  [/\bBearer\s+(?=[\w.~+/=-]*\d)[\w.~+/=-]{8,}/g, `Bearer ${redacted}`],
  [/\bBasic\s+(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{12,}={0,2}/g, `Basic ${redacted}`],
  [/\b(api[ _-]?key provided:\s*)[^\s"',;)&]+/gi, `$1${redacted}`],
];

/** A query parameter as a URL quoted in a message carries it; the name is bounded so the scan stays linear. */
const queryParameter = /([?&])([\w.-]{1,128})=([^&#\s"')]+)/g;
/** Names that hold a credential: `key`, `api_key`, `apikey`, `access_token`, `X-Amz-Signature`, `sig`... */
const credentialName = /(?:^|[-_.]|api)(?:key|token|secret|sig|signature|auth|password)$/i;

/** Shorter configured values are not redacted verbatim: they would mangle ordinary words and are not real keys. */
const shortestSecret = 6;

/**
 * Removes the key shapes providers echo (see `keyShapes`) and the values of
 * credential-named query parameters; for text from one upstream when the
 * gateway's configured secrets are not at hand.
 *
 * @example
 * redactKeyShapes('Incorrect API key provided: sk-proj-...abcd.'); // 'Incorrect API key provided: [redacted]'
 */
export function redactKeyShapes(text: string): string {
  let result = text;
  for (const [pattern, replacement] of keyShapes) result = result.replace(pattern, replacement);
  return result.replace(queryParameter, (whole, separator: string, name: string) =>
    credentialName.test(name) ? `${separator}${name}=${redacted}` : whole,
  );
}

/**
 * A redactor for the gateway's error path: every echo of a configured
 * secret (an upstream may quote a key with no recognisable prefix, cut it,
 * reverse it, or encode it: see `SecretEchoes`), then the key shapes.
 *
 * @example
 * const redact = createSecretRedactor(['relaykeyNOPREFIX9876']);
 * redact('Incorrect key relaykeyNOPREFIX9876'); // 'Incorrect key [redacted]'
 * redact('Incorrect key relaykeyNOP…');         // 'Incorrect key [redacted]…'
 */
export function createSecretRedactor(secrets: Iterable<string>): RedactSecrets {
  const distinct = redactableSecrets(secrets);
  if (distinct.length === 0) return redactKeyShapes;
  const echoes = new SecretEchoes(distinct);
  return (text) => redactKeyShapes(echoes.redact(text, redacted));
}

/** The secrets worth matching verbatim: distinct, long enough to be keys, longest first (so a key containing another leaves no tail). */
export function redactableSecrets(secrets: Iterable<string>): string[] {
  return [...new Set(secrets)].filter((secret) => secret.length >= shortestSecret).sort((a, b) => b.length - a.length);
}

/** What a redacted secret reads as. */
export const redactedMark = redacted;
