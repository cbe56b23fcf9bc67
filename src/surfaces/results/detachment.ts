import type { Caller } from '../../server/exchange.js';
import type { IncomingCall } from '../../server/incoming-call.js';
import { idempotencyKeyOf } from './idempotency-key.js';
import { requestFingerprint } from './request-fingerprint.js';
import type { DetachedRequest, KeptResult, ResultRegistry } from './result-registry.js';

/**
 * Whose results these are: the gateway key's id, or the id an
 * `authenticate()` hook gave. Without authentication every caller is
 * `anonymous` and shares one namespace: anyone who can reach the gateway and
 * knows a key (or a completion id) can read its result.
 */
export function ownerOf(caller: Pick<Caller, 'keyId'>): string {
  return caller.keyId ?? 'anonymous';
}

export interface DetachmentFacts {
  /** The route's path: the same key on another endpoint is another request. */
  path: string;
  /** What identifies the request: the validated request, its images included. */
  fingerprintSource(): unknown;
  /** A result kept by id (`store: true`), which detaches the generation too. */
  kept?: KeptResult;
  /** The `results.detachAll` option: every generation runs on when its client leaves. */
  detachAll: boolean;
}

/**
 * Whether a request's generation runs detached from its connection, and
 * under which keys: a request with an `Idempotency-Key` (checked: a 400
 * when malformed), one whose result is kept by id, or every request with
 * `detachAll`. Undefined leaves today's behaviour: the client leaving aborts the generation.
 */
export function detachmentOf(
  registry: ResultRegistry,
  call: IncomingCall,
  caller: Caller,
  facts: DetachmentFacts,
): DetachedRequest | undefined {
  const key = idempotencyKeyOf(call.header('idempotency-key'));
  if (key === undefined && !facts.kept && !facts.detachAll) return undefined;
  return {
    idempotencyKey: key === undefined ? undefined : registry.keyFor('idem', ownerOf(caller), key),
    fingerprint: key === undefined ? '' : requestFingerprint(facts.path, facts.fingerprintSource()),
    kept: facts.kept,
  };
}
