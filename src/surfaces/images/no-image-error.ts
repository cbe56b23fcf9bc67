import { GatewayError } from '../../errors/gateway-error.js';

/** The Images API promises images: a provider that finished without one is a 502, never a 200 with empty `data`. */
export function noImageError(): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'server_error',
    code: 'NO_IMAGE',
    message: 'The provider finished without an image; nothing was generated. Try again, or reword the prompt.',
  });
}
