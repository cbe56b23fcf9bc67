import { GatewayError, invalidRequest } from '../../errors/gateway-error.js';

/** Longest `Idempotency-Key` accepted, in characters (a UUID is 36; Stripe allows 255 too). */
export const maxIdempotencyKeyLength = 255;

/** A key that is empty, too long, or not visible ASCII: a 400 naming the header and what it may hold. */
export function badIdempotencyKey(reason: string): GatewayError {
  return invalidRequest(
    `Invalid Idempotency-Key header: ${reason}. Send 1 to ${maxIdempotencyKeyLength} visible ASCII characters (letters, digits and punctuation, no spaces), e.g. a UUID.`,
    'Idempotency-Key',
    'invalid_idempotency_key',
  );
}

/** The same key came with another request: OpenAI error form, status 422 as the IETF draft says. */
export function idempotencyKeyReused(): GatewayError {
  return new GatewayError({
    status: 422,
    type: 'invalid_request_error',
    code: 'idempotency_key_reused',
    param: 'Idempotency-Key',
    message:
      'This Idempotency-Key was already used with a different request (another body or endpoint). Send the same request again to get its answer, or use a new key for a new request.',
  });
}

/** An id the results store does not hold for this caller: never there, expired, evicted, deleted, or another caller's. */
export function storedResultNotFound(what: string, id: string): GatewayError {
  const quoted = id.length > 100 ? `${id.slice(0, 100)}…` : id;
  return new GatewayError({
    status: 404,
    type: 'not_found_error',
    code: 'not_found',
    param: null,
    message: `No ${what} with id '${quoted}' is stored for this caller: it was never stored, was deleted, or expired or was evicted from the results store.`,
  });
}
