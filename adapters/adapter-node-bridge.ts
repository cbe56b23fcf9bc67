import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { bodyPiecesOf } from '../src/http/pieces-response.js';
import { bodyTextOf } from '../src/http/text-response.js';
import { writeBodyPieces } from './adapter-node-body-pieces.js';

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
  const listener = getRequestListener(
    async (request, env) => {
      const response = await fetch(request);
      const text = bodyTextOf(response);
      const pieces = text === undefined ? bodyPiecesOf(response) : [text];
      if (pieces === undefined) return response;
      // A body the core built from strings and buffers is written straight to the socket: reading it back
      // through a web stream costs a timer turn per response in the converter, and a copy of every byte.
      const { outgoing } = env as { outgoing: ServerResponse };
      const headers: Record<string, string> = Object.fromEntries(response.headers);
      let length = 0;
      for (const piece of pieces) length += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.byteLength;
      headers['content-length'] = String(length);
      outgoing.writeHead(response.status, headers);
      writeBodyPieces(outgoing, pieces);
      return RESPONSE_ALREADY_SENT;
    },
    { overrideGlobalObjects: false },
  );
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
