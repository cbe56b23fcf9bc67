import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ImageGateway } from '../../src/gateway.js';
import { createNodeBridge } from './node-bridge.js';
import { absoluteUrl } from './node-call.js';

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
