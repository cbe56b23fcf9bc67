import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ImageGateway } from '../src/gateway.js';
import { type GatewayInput, resolveGateway } from './adapter-gateway.js';
import { createNodeBridge } from './node/node-bridge.js';
import { absoluteUrl } from './node/node-call.js';

/** The part of a Koa context the adapter uses (Koa 2 and 3). */
export interface KoaContextLike {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: string;
  respond?: boolean;
  /** `body`/`rawBody` are set when a body parser such as @koa/bodyparser ran first. */
  request: { body?: unknown; rawBody?: unknown };
}

/** Koa middleware serving the gateway, with a handle on the gateway it serves. */
export interface KoaGatewayMiddleware {
  (context: KoaContextLike, next: () => Promise<unknown>): Promise<void>;
  readonly gateway: ImageGateway;
  /** Stops admitting requests and drains running generations (see `shutdownGraceMs`). */
  close(): Promise<void>;
}

/**
 * Koa middleware for the gateway. Paths it does not serve fall through with
 * `await next()`. Served paths bypass Koa's body handling (`ctx.respond =
 * false`) and are written straight to the socket, so heartbeats are not held
 * back and backpressure reaches the generator; a client that disconnects
 * aborts its generation. Under a prefix, use koa-mount or the `basePath` option.
 *
 * @example
 * import Koa from 'koa';
 * import { imageGateway } from 'image-gateway/koa';
 * const app = new Koa();
 * app.use(imageGateway({ heartbeatIntervalMs: 10_000 })); // or imageGateway({ gateway })
 * app.listen(3000);
 */
export function imageGateway(input: GatewayInput = {}): KoaGatewayMiddleware {
  const { gateway } = resolveGateway(input);
  const bridge = createNodeBridge(gateway);
  const middleware = async (context: KoaContextLike, next: () => Promise<unknown>): Promise<void> => {
    if (!gateway.handles({ method: context.method, url: absoluteUrl(context.req) })) {
      await next();
      return;
    }
    context.respond = false;
    // koa-bodyparser keeps the original text in rawBody; prefer it to re-serialising.
    const parsed = typeof context.request.rawBody === 'string' ? context.request.rawBody : context.request.body;
    await bridge(context.req, context.res, parsed);
  };
  return Object.assign(middleware, { gateway, close: () => gateway.close() });
}

export type { GatewayInput, GatewayOptions, ImageGateway } from './node.js';
