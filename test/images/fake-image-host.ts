import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLoopbackServer } from '../fakes/fake-recording-server.js';

export type Route = (request: IncomingMessage, response: ServerResponse) => void;

/** A plain-HTTP image host on 127.0.0.1 that records what it was asked for. */
export interface FakeImageHost {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  requests: { url: string; headers: IncomingMessage['headers'] }[];
  route(path: string, handler: Route): void;
  close(): Promise<void>;
}

export async function startFakeImageHost(): Promise<FakeImageHost> {
  const routes = new Map<string, Route>();
  const requests: FakeImageHost['requests'] = [];
  const server = await startLoopbackServer(async (request, response) => {
    requests.push({ url: request.url ?? '', headers: request.headers });
    const handler = routes.get(request.url ?? '');
    if (handler) handler(request, response);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  return {
    origin: server.url,
    port: Number(new URL(server.url).port),
    requests,
    route: (path, handler) => routes.set(path, handler),
    close: server.close,
  };
}

export function serveBytes(bytes: Buffer, contentType = 'image/png'): Route {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': contentType, 'content-length': bytes.length }).end(bytes);
  };
}

export function redirectTo(location: string, status = 302): Route {
  return (_request, response) => {
    response.writeHead(status, { location }).end();
  };
}
