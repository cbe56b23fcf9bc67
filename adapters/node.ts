import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createImageGateway, type ImageGateway } from '../src/gateway.js';
import type { GatewayOptions } from '../src/options.js';
import { type GatewayInput, resolveGateway } from './adapter-gateway.js';
import { absoluteUrl, createNodeBridge } from './node/node-bridge.js';

/** A Node request listener that serves a gateway; `next` is called for paths the gateway does not serve. */
export type GatewayRequestListener = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * A `node:http` listener for a gateway: requests go from IncomingMessage to
 * ServerResponse without Web Request/Response objects in between, and the
 * generation is aborted when the client disconnects. Given `next`
 * (connect-style), paths the gateway does not serve fall through to it.
 *
 * @example
 * const listener = createGatewayListener(createImageGateway());
 * http.createServer(listener).listen(3000);
 */
export function createGatewayListener(gateway: ImageGateway): GatewayRequestListener {
  const bridge = createNodeBridge(gateway);
  return (request, response, next) => {
    if (next && !gateway.handles({ method: request.method ?? 'GET', url: absoluteUrl(request) })) {
      next();
      return;
    }
    bridge(request, response, (request as { body?: unknown }).body).catch((error: unknown) => {
      if (next) next(error);
      else if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end('{"error":{"message":"The gateway failed to process the request.","type":"server_error","code":"INTERNAL_ERROR"}}');
      } else response.destroy();
    });
  };
}

/** A `node:http` server whose `close()` also drains the gateway. */
export interface GatewayServer extends Server {
  readonly gateway: ImageGateway;
}

/**
 * A standalone Node server for the gateway: paths it does not serve get a
 * 404 in OpenAI error form. `close()` stops accepting connections, lets
 * running generations finish (option `shutdownGraceMs`), then closes the rest.
 *
 * @example
 * import { createServer } from 'image-gateway/node';
 * createServer({ apiKeys: ['sk-local-123456'] }).listen(3000);
 * // or serve a gateway you already have: createServer({ gateway })
 */
export function createServer(input: GatewayInput = {}): GatewayServer {
  const { gateway } = resolveGateway(input);
  const server = createHttpServer(createGatewayListener(gateway)) as GatewayServer;
  Object.defineProperty(server, 'gateway', { value: gateway, enumerable: true });
  const closeServer = server.close.bind(server);
  server.close = (callback?: (error?: Error) => void) => {
    gateway.close().finally(() => server.closeAllConnections?.());
    return closeServer(callback);
  };
  return server;
}

export type { GatewayInput, GatewayOptions, ImageGateway };
export { createImageGateway };
