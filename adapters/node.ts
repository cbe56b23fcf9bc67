import { createServer as createHttpServer, type Server } from 'node:http';
import { createImageGateway, type ImageGateway } from '../src/gateway.js';
import type { GatewayOptions } from '../src/options.js';
import { type GatewayInput, resolveGateway } from './adapter-gateway.js';
import { createGatewayListener, type GatewayRequestListener } from './node/node-listener.js';

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
 * createServer({ apiKeys: ['sk-local-1234567890'] }).listen(3000);
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

export type { GatewayInput, GatewayOptions, GatewayRequestListener, ImageGateway };
export { createGatewayListener, createImageGateway };
