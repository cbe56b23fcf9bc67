import { Hono } from 'hono';
import type { ImageGateway } from '../src/gateway.js';
import { type GatewayInput, resolveGateway } from './adapter-gateway.js';
import { closingIfBodyUnread, rawTail, withPath } from './hono/hono-request.js';

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
    // Hono hands the parameter percent-decoded: "/v1/chat%2Fcompletions" would read as a route the other
    // adapters (and host middleware keyed on the real path) never see as one. The gateway gets the path as sent.
    const path = rawTail(new URL(context.req.raw.url).pathname, `/${context.req.param('gatewayPath')}`);
    const request = path === undefined ? undefined : withPath(context.req.raw, path);
    if (!request || !gateway.handles(request)) {
      await next();
      return;
    }
    return closingIfBodyUnread(await fetch(request), context.env);
  });
  return Object.assign(app, { gateway, close: () => gateway.close() });
}

export type { GatewayOptions } from '../src/options.js';
export type { GatewayInput } from './adapter-gateway.js';
export type { ImageGateway };
