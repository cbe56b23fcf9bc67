import { GatewayError } from './gateway-error.js';

/**
 * The shared store (Redis) cannot be reached and the gateway runs with
 * `store.onUnavailable: 'failClosed'`: the request was not admitted, since
 * admitting it could break a limit every process shares.
 *
 * @example
 * throw storeUnavailableError(1);
 */
export function storeUnavailableError(retryAfterSeconds = 1): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'STORE_UNAVAILABLE',
    message:
      'The shared store (Redis) that holds the limits of every gateway process is unreachable, so the request was not admitted ' +
      "(option store.onUnavailable is 'failClosed'); retry shortly.",
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}
