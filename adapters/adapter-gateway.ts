import { createImageGateway, type ImageGateway } from '../src/gateway.js';
import type { GatewayOptions } from '../src/options.js';

/**
 * What every adapter accepts: gateway options (the adapter creates the
 * gateway), or `{ gateway }` to serve one you created yourself, e.g. to share
 * it between two mounts or to read `gateway.stats()`.
 */
export type GatewayInput = GatewayOptions | { gateway: ImageGateway };

/** The gateway an adapter serves, and its `fetch` as adapters should call it. */
export interface AdapterGateway {
  gateway: ImageGateway;
  fetch(request: Request): Promise<Response>;
}

/** Options never contain `gateway` (the options schema is strict), so the two shapes cannot be confused. */
export function resolveGateway(input: GatewayInput = {}): AdapterGateway {
  const gateway = 'gateway' in input && input.gateway ? input.gateway : createImageGateway(input as GatewayOptions);
  return { gateway, fetch: (request) => gateway.fetch(request) };
}
