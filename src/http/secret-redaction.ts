/** Rewrites text so no credential in it reaches a client or a log line. */
export type RedactSecrets = (text: string) => string;

const redacted = '[redacted]';

/**
 * The key shapes upstreams echo back whatever the gateway is configured with:
 * OpenAI's `sk-…`/`rk-…` (whole or masked as `sk-...abcd`), Google's `AIza…`,
 * a bearer token, the value after "API key provided:", and key-like query
 * parameters of a URL quoted in a message.
 */
const keyShapes: readonly [RegExp, string][] = [
  [/\b(?:sk|rk|pk)-[\w*.-]{2,}/gi, redacted],
  [/\bAIza[\w-]{10,}/g, redacted],
  // A token's own alphabet (RFC 6750), at a length no placeholder such as "<key>" reaches.
  [/\b(Bearer|Basic)\s+[\w.~+/=-]{8,}/gi, `$1 ${redacted}`],
  [/\b(api[ _-]?key(?: provided)?\s*[:=]\s*)[^\s"',;)&]+/gi, `$1${redacted}`],
  [/([?&][\w-]*(?:key|token|secret|sig|signature|auth)[\w-]*=)[^&#\s"')]+/gi, `$1${redacted}`],
];

/** Shorter configured values are not redacted verbatim: they would mangle ordinary words and are not real keys. */
const shortestSecret = 6;

/**
 * Removes the key shapes providers echo (see `keyShapes`); for text from one
 * upstream when the gateway's configured secrets are not at hand.
 */
export function redactKeyShapes(text: string): string {
  let result = text;
  for (const [pattern, replacement] of keyShapes) result = result.replace(pattern, replacement);
  return result;
}

/**
 * A redactor for the gateway's error path: every configured secret verbatim
 * (an upstream may quote a key with no recognisable prefix), then the key
 * shapes. Longer secrets are matched first, so a key that contains another
 * leaves no tail behind.
 *
 * @example
 * const redact = createSecretRedactor(['relaykeyNOPREFIX9876']);
 * redact('Incorrect key relaykeyNOPREFIX9876'); // 'Incorrect key [redacted]'
 */
export function createSecretRedactor(secrets: Iterable<string>): RedactSecrets {
  const distinct = [...new Set(secrets)].filter((secret) => secret.length >= shortestSecret);
  if (distinct.length === 0) return redactKeyShapes;
  distinct.sort((a, b) => b.length - a.length);
  const verbatim = new RegExp(distinct.map(escapeForRegExp).join('|'), 'g');
  return (text) => redactKeyShapes(text.replace(verbatim, redacted));
}

function escapeForRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
