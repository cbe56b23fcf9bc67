import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayLogger } from '../lib/logger.js';
import { FailedAuthTally } from './failed-auth-tally.js';
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

/** What the authenticator needs besides the keys and the hook. */
export interface AuthenticatorOptions {
  /**
   * The HMAC secret key ids are made with. Default: 32 random bytes per
   * process, so ids stay the same for the process's life but cannot be
   * matched against a guessed key offline (nor across restarts: set one to
   * keep ids stable for accounting).
   */
  keyIdSalt?: string;
  /** Where the failed-authentication tally is logged. */
  logger?: GatewayLogger;
  now?: () => number;
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
 * Bearer keys compared as keyed SHA-256 digests (HMAC) in constant time (no
 * key length or prefix leaks through timing), and/or a host-supplied hook.
 * No keys and no hook: open access.
 *
 * The digest is computed synchronously on the event loop: an HMAC of a short
 * key costs a few microseconds, while WebCrypto's `digest` queued behind
 * image conversions on libuv's thread pool and made key checks wait seconds
 * for sharp. The key id in usage records and logs is the first 48 bits of
 * an HMAC with a secret salt, so it names a key without letting anyone who
 * reads the log confirm a guessed key.
 *
 * @example
 * const auth = createAuthenticator(['sk-local-1234567890'], undefined);
 * await auth.authenticate(request); // throws a 401 GatewayError when the key is wrong
 */
export function createAuthenticator(
  apiKeys: readonly string[] | undefined,
  hook: AuthenticationHook | undefined,
  options: AuthenticatorOptions = {},
): Authenticator {
  const keys = (apiKeys ?? []).filter((key) => key.length > 0);
  const salt = options.keyIdSalt ?? randomBytes(32);
  const digest = (text: string): Buffer => createHmac('sha256', salt).update(text).digest();
  const known = keys.map((key) => ({ digest: digest(key), keyId: `key_${digest(key).toString('hex').slice(0, 12)}` }));
  const enabled = keys.length > 0 || hook !== undefined;
  const failures = new FailedAuthTally(options.logger, options.now ?? Date.now);
  return {
    enabled,
    // Open access answers at once: no promise and no turn of the event loop per request.
    authenticate: (call) => (enabled ? checkCounted(call) : openAccess),
  };

  function checkCounted(call: IncomingCall): { keyId?: string } | Promise<{ keyId?: string }> {
    try {
      const verdict = check(call);
      if (verdict instanceof Promise) return verdict.catch((error: unknown) => countFailure(call, error));
      return verdict;
    } catch (error) {
      return countFailure(call, error);
    }
  }

  function countFailure(call: IncomingCall, error: unknown): never {
    if (error instanceof GatewayError && error.status === 401) failures.record(call.clientAddress);
    throw error;
  }

  function check(call: IncomingCall): { keyId?: string } | Promise<{ keyId?: string }> {
    if (keys.length > 0) {
      const presented = digest(presentedKey(call.header('authorization') ?? ''));
      let found: string | undefined;
      // Every candidate is compared, so the time does not say which key (if any) matched.
      for (const candidate of known) if (timingSafeEqual(candidate.digest, presented)) found = candidate.keyId;
      if (!found) throw unauthorized('Invalid API key.');
      if (!hook) return { keyId: found };
    }
    return hook ? checkHook(call) : {};
  }

  async function checkHook(call: IncomingCall): Promise<{ keyId?: string }> {
    const verdict = await hook!(call.request());
    const ok = typeof verdict === 'boolean' ? verdict : verdict.ok;
    if (!ok) throw unauthorized(typeof verdict === 'object' && verdict.message ? verdict.message : 'Authentication failed.');
    return { keyId: typeof verdict === 'object' ? verdict.keyId : undefined };
  }
}

const openAccess: { keyId?: string } = Object.freeze({});
