import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ImageGateway } from '../src/gateway.js';
import { type GatewayInput, resolveGateway } from './adapter-gateway.js';
import { createGatewayListener } from './node/node-listener.js';

/** Express middleware serving the gateway, with a handle on the gateway it serves. */
export interface ExpressGatewayMiddleware {
  (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void): void;
  readonly gateway: ImageGateway;
  /** Stops admitting requests and drains running generations (see `shutdownGraceMs`). */
  close(): Promise<void>;
}

/**
 * Express middleware (Express 4 and 5) for the gateway. Paths it does not
 * serve go to `next()`; under a mount path (`app.use('/ai', ...)`) Express
 * strips the prefix, so the routes become `/ai/v1/chat/completions` with no
 * extra option. Mount it before `express.json()`; mounted after, it
 * re-serialises the parsed `req.body`. Streams flush as they are written and a
 * client that disconnects aborts its generation.
 *
 * @example
 * import express from 'express';
 * import { imageGateway } from 'image-gateway/express';
 * const app = express();
 * app.use(imageGateway({ apiKeys: [process.env.GATEWAY_KEY!] })); // or imageGateway({ gateway })
 * app.listen(3000);
 */
export function imageGateway(input: GatewayInput = {}): ExpressGatewayMiddleware {
  const { gateway } = resolveGateway(input);
  const listener = createGatewayListener(gateway);
  const middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) =>
    listener(request, response, next);
  return Object.assign(middleware, { gateway, close: () => gateway.close() });
}

export type { GatewayInput, GatewayOptions, ImageGateway } from './node.js';
