import { Hono } from 'hono';
import type { ImageGateway } from '../src/gateway/create-gateway.js';
import { type GatewayInput, resolveGateway } from './adapter-gateway.js';

/** A Hono app serving the gateway, with a handle on the gateway it serves. */
export type HonoGatewayApp = Hono & {
  readonly gateway: ImageGateway;
  /** Stops admitting requests and drains running generations (see `shutdownGraceMs`). */
  close(): Promise<void>;
};

/**
 * A Hono app that serves the gateway; mount it with `app.route(path, ...)`.
 * The mount path is stripped before the gateway sees the request, so
 * `app.route('/ai', imageGateway())` serves `/ai/v1/chat/completions`. Paths
 * the gateway does not serve fall through to the host app's later routes.
 * Runs wherever Hono and sharp run (Node, Bun); on Node, `request.signal`
 * from @hono/node-server aborts the generation when the client disconnects.
 *
 * @example
 * import { Hono } from 'hono';
 * import { imageGateway } from 'image-gateway/hono';
 * const app = new Hono();
 * app.route('/', imageGateway({ heartbeatIntervalMs: 10_000 })); // or imageGateway({ gateway })
 */
export function imageGateway(input: GatewayInput = {}): HonoGatewayApp {
  const { gateway, fetch } = resolveGateway(input);
  const app = new Hono();
  // The catch-all parameter holds the path below the mount point, whatever it
  // is. Reading it (rather than hono/route's helpers) keeps working when the
  // host app and this adapter load two copies of hono, as linked packages do.
  app.all('/:gatewayPath{.+}', async (context, next) => {
    const request = withPath(context.req.raw, `/${context.req.param('gatewayPath')}`);
    if (!gateway.handles(request)) {
      await next();
      return;
    }
    return fetch(request);
  });
  return Object.assign(app, { gateway, close: () => gateway.close() });
}

/** The same request (body stream and signal included, nothing copied) at another path. */
function withPath(request: Request, pathname: string): Request {
  const url = new URL(request.url);
  if (url.pathname === pathname) return request;
  url.pathname = pathname;
  return new Request(url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
    duplex: 'half',
  } as RequestInit);
}

export type { GatewayOptions } from '../src/gateway/gateway-options.js';
export type { GatewayInput } from './adapter-gateway.js';
export type { ImageGateway };
