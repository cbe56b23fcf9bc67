import { Hono } from 'hono';
import type { ImageGateway } from '../src/gateway.js';
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

/**
 * The end of `pathname` (as sent, escapes kept) that decodes to `decoded`,
 * the path below the mount point as Hono decoded it; undefined when none does.
 */
function rawTail(pathname: string, decoded: string): string | undefined {
  for (let start = pathname.lastIndexOf('/'); start >= 0; start = pathname.lastIndexOf('/', start - 1)) {
    const candidate = pathname.slice(start);
    if (safeDecode(candidate) === decoded) return candidate;
    if (start === 0) break;
  }
  return undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** What @hono/node-server puts in `context.env`: the Node request. */
interface NodeServerBindings {
  incoming?: { complete?: boolean; httpVersionMajor?: number };
}

/**
 * On @hono/node-server over HTTP/1.1, an answer given before the request's
 * body fully arrived (a 413, 401 or 415 on a big upload) leaves bytes on the
 * connection; the server then drops it while the answer says keep-alive,
 * and the client's next request on it fails. Saying `Connection: close`, as
 * the Node adapter does, tells the client not to reuse it. Elsewhere (HTTP/2,
 * Bun, `app.request`) there is no such header to give.
 */
function closingIfBodyUnread(response: Response, env: unknown): Response {
  const incoming = (env as NodeServerBindings | undefined)?.incoming;
  if (incoming?.httpVersionMajor !== 1 || incoming.complete !== false) return response;
  const headers = new Headers(response.headers);
  headers.set('connection', 'close');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
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

export type { GatewayOptions } from '../src/options.js';
export type { GatewayInput } from './adapter-gateway.js';
export type { ImageGateway };
