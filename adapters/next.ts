import type { ImageGateway } from '../src/gateway.js';
import { type GatewayInput, resolveGateway } from './adapter-gateway.js';

/** A Next.js App Router route handler. */
export type NextRouteHandler = (request: Request) => Promise<Response>;

/** Route handlers to export from a catch-all `route.ts`, plus the gateway they serve. */
export interface NextRouteHandlers {
  GET: NextRouteHandler;
  /** Hosted image files answer HEAD with their length and type. */
  HEAD: NextRouteHandler;
  POST: NextRouteHandler;
  /** CORS preflight; answered only when the `cors` option is on. */
  OPTIONS: NextRouteHandler;
  readonly gateway: ImageGateway;
  /** Stops admitting requests and drains running generations (see `shutdownGraceMs`). */
  close(): Promise<void>;
}

/**
 * Route handlers for a Next.js App Router catch-all route. The gateway sees
 * the full request path: in `app/v1/[...path]/route.ts` the routes work as
 * they are; under another folder set `basePath` (`app/api/v1/[...path]` →
 * `basePath: '/api'`). Use the Node.js runtime (sharp is native) and mark the
 * route dynamic. A client that disconnects aborts its generation.
 *
 * @example
 * // app/v1/[...path]/route.ts
 * import { createRouteHandlers } from 'image-gateway/next';
 * export const runtime = 'nodejs';
 * export const dynamic = 'force-dynamic';
 * export const { GET, POST } = createRouteHandlers({ apiKeys: [process.env.GATEWAY_KEY!] });
 */
export function createRouteHandlers(input: GatewayInput = {}): NextRouteHandlers {
  const { gateway, fetch } = resolveGateway(input);
  const handler: NextRouteHandler = (request) => fetch(request);
  return { GET: handler, HEAD: handler, POST: handler, OPTIONS: handler, gateway, close: () => gateway.close() };
}

export type { GatewayOptions } from '../src/options.js';
export type { GatewayInput } from './adapter-gateway.js';
export type { ImageGateway };
