import { GatewayError } from './gateway-error.js';

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
