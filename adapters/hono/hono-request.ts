/**
 * The end of `pathname` (as sent, escapes kept) that decodes to `decoded`,
 * the path below the mount point as Hono decoded it; undefined when none does.
 */
export function rawTail(pathname: string, decoded: string): string | undefined {
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
export function closingIfBodyUnread(response: Response, env: unknown): Response {
  const incoming = (env as NodeServerBindings | undefined)?.incoming;
  if (incoming?.httpVersionMajor !== 1 || incoming.complete !== false) return response;
  const headers = new Headers(response.headers);
  headers.set('connection', 'close');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** The same request (body stream and signal included, nothing copied) at another path. */
export function withPath(request: Request, pathname: string): Request {
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
