import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';

/** Serves one Node request through `fetch`; resolves once the response is written or the client left. */
export type NodeBridge = (incoming: IncomingMessage, outgoing: ServerResponse, parsedBody?: unknown) => Promise<void>;

/**
 * Node ↔ Web translation by @hono/node-server: the Request is built lazily,
 * bodies stream with backpressure, and `request.signal` aborts when the client
 * disconnects. `overrideGlobalObjects: false` keeps the host app's globals as they are.
 *
 * A body parser that ran first (express.json(), @koa/bodyparser) has drained
 * the stream; its result is handed back as `rawBody`, which the converter reads
 * instead of the spent stream.
 */
export function createNodeBridge(fetch: (request: Request) => Promise<Response>): NodeBridge {
  const listener = getRequestListener(fetch, { overrideGlobalObjects: false });
  return async (incoming, outgoing, parsedBody) => {
    // Body parsers declare rawBody as a string on IncomingMessage; the converter wants a Buffer.
    const withRawBody = incoming as unknown as { rawBody?: unknown };
    if (incoming.readableEnded && !(withRawBody.rawBody instanceof Buffer)) withRawBody.rawBody = serializeBody(parsedBody);
    return listener(incoming, outgoing);
  };
}

function serializeBody(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(JSON.stringify(body));
}
