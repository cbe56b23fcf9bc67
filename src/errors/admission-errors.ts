import { GatewayError } from './gateway-error.js';

/**
 * The errors of admission: the gateway cannot take the request now, and
 * says when to come back. Seed 000 fixes the first one byte for byte.
 */

/** Seed 000's body, byte for byte. */
export function queueFullError(retryAfterSeconds: number): GatewayError {
  return new GatewayError({
    status: 429,
    type: 'rate_limit_exceeded',
    code: 'QUEUE_FULL',
    message: 'Queue is full',
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

export function queueTimeoutError(waitedMs: number): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'QUEUE_TIMEOUT',
    message: `No provider slot became free within ${waitedMs} ms (option queue.maxWaitMs); try again later.`,
  });
}

export function shuttingDownError(): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'SHUTTING_DOWN',
    message: 'The gateway is shutting down and accepts no new work.',
  });
}

/**
 * Every instance that could serve the request has its circuit open (or was
 * told by its upstream to wait): `seconds` until the first one may take work.
 * `which` says which providers and how they fare.
 *
 * @example
 * throw providerUnavailableError('serves gemini-2.5-flash-image is cooling down after failures', 30);
 */
export function providerUnavailableError(which: string, seconds: number): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'PROVIDER_UNAVAILABLE',
    message: `Every provider that ${which}; retry in about ${seconds} s.`,
    headers: { 'retry-after': String(seconds) },
  });
}
