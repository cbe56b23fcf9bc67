import { GatewayError } from '../errors/gateway-error.js';
import type { IncomingCall } from './incoming-call.js';

/** What an `authenticate` hook may answer: allow/deny, or allow with a key id for accounting. */
export type AuthenticationResult = boolean | { ok: boolean; keyId?: string; message?: string };

/** A host's own check of a request, instead of (or besides) the gateway's keys. */
export type AuthenticationHook = (request: Request) => AuthenticationResult | Promise<AuthenticationResult>;

export interface Authenticator {
  /** The caller's key id (for accounting), or a 401; at once when access is open. */
  authenticate(call: IncomingCall): { keyId?: string } | Promise<{ keyId?: string }>;
  readonly enabled: boolean;
}

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Compares two digests in time independent of where they differ. */
function equalDigests(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let index = 0; index < a.length; index += 1) difference |= (a[index] ?? 0) ^ (b[index] ?? 0);
  return difference === 0;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function unauthorized(message: string): GatewayError {
  return new GatewayError({
    status: 401,
    type: 'authentication_error',
    code: 'UNAUTHORIZED',
    message,
    headers: { 'www-authenticate': 'Bearer' },
  });
}

/**
 * The key of an Authorization header: `Bearer <key>`, or the key alone, as
 * some clients send it (seed 004's example does). Anything else is a 401
 * that says which form to use.
 */
function presentedKey(header: string): string {
  const value = header.trim();
  if (value === '') throw unauthorized('Missing API key: send "Authorization: Bearer <key>".');
  const bearer = /^Bearer\s+(.+)$/i.exec(value);
  if (bearer?.[1]) return bearer[1].trim();
  if (/^\S+$/.test(value) && !/^Bearer$/i.test(value)) return value;
  throw unauthorized('Malformed Authorization header: send "Authorization: Bearer <key>" (or the key alone).');
}

/**
 * Bearer keys compared as SHA-256 digests in constant time (no key length or
 * prefix leaks through timing), and/or a host-supplied hook. No keys and no
 * hook: open access.
 *
 * @example
 * const auth = createAuthenticator(['sk-local-123456'], undefined);
 * await auth.authenticate(request); // throws a 401 GatewayError when the key is wrong
 */
export function createAuthenticator(apiKeys: readonly string[] | undefined, hook: AuthenticationHook | undefined): Authenticator {
  const keys = (apiKeys ?? []).filter((key) => key.length > 0);
  const digests = Promise.all(keys.map(digest));
  const enabled = keys.length > 0 || hook !== undefined;
  return {
    enabled,
    // Open access answers at once: no promise and no turn of the event loop per request.
    authenticate: (call) => (enabled ? check(call) : openAccess),
  };

  async function check(call: IncomingCall): Promise<{ keyId?: string }> {
    if (keys.length > 0) {
      const presented = await digest(presentedKey(call.header('authorization') ?? ''));
      let found: Uint8Array | undefined;
      for (const candidate of await digests) if (equalDigests(candidate, presented)) found = candidate;
      if (!found) throw unauthorized('Invalid API key.');
      if (!hook) return { keyId: `key_${toHex(found).slice(0, 12)}` };
    }
    if (hook) {
      const verdict = await hook(call.request());
      const ok = typeof verdict === 'boolean' ? verdict : verdict.ok;
      if (!ok) throw unauthorized(typeof verdict === 'object' && verdict.message ? verdict.message : 'Authentication failed.');
      return { keyId: typeof verdict === 'object' ? verdict.keyId : undefined };
    }
    return {};
  }
}

const openAccess: { keyId?: string } = Object.freeze({});
