import { GatewayError } from '../errors/gateway-error.js';
import type { Answer } from './answer.js';
import type { Caller } from './exchange.js';
import type { IncomingCall } from './incoming-call.js';

/** What a route's handler receives: the call, its authenticated caller, and the path parameter of a prefix route. */
export interface RoutedCall {
  call: IncomingCall;
  caller: Caller;
  /** The rest of the path after a prefix route's `path`, percent-decoded ("" for an exact route). */
  parameter: string;
  /** An open route's call carried a key the gateway accepts (never true when access is open to all). */
  authenticated?: boolean;
}

/** One method and path the gateway serves, and what answers it. */
export interface Route {
  readonly method: string;
  /** The path below the base path: exact, or with `prefix` the start of it, followed by a parameter. */
  readonly path: string;
  readonly prefix?: boolean;
  /** Answered before authentication (GET /healthz: load balancers carry no key). */
  readonly open?: boolean;
  /** Starts new work, which a gateway that is shutting down refuses. */
  readonly startsWork?: boolean;
  handle(routed: RoutedCall): Answer | Promise<Answer>;
}

/** A call matched against the table: the route, or the methods its path takes (a 405), or nothing (a 404, or the host's next()). */
export type RouteMatch = { route: Route; parameter: string } | { route?: undefined; allowed: string[] };

/** Dot segments, encoded dots and backslashes: paths only the URL parser reads right. */
const unusualPath = /\.|%2e|\\/i;

/**
 * The gateway's route table under its base path. A path it does not know
 * falls through to the host app (adapters) or gets a 404; a known path
 * with another method gets a 405 naming the allowed ones.
 *
 * @example
 * const router = new Router('/api', [{ method: 'GET', path: '/v1/models', handle: () => modelsAnswer(registry, createdAt) }]);
 * router.match({ method: 'GET', url: 'http://localhost/api/v1/models' });
 */
export class Router {
  readonly #basePath: string;
  readonly #exact = new Map<string, Route[]>();
  readonly #prefixed: Route[] = [];

  constructor(basePath: string, routes: readonly Route[]) {
    this.#basePath = basePath;
    for (const route of routes) {
      if (route.prefix) this.#prefixed.push(route);
      else this.#exact.set(route.path, [...(this.#exact.get(route.path) ?? []), route]);
    }
  }

  /** The route for a call; undefined when the gateway does not serve its path at all. */
  match(call: Pick<Request, 'method' | 'url'>): RouteMatch | undefined {
    const pathname = pathOf(call.url);
    if (!pathname.startsWith(this.#basePath)) return undefined;
    // The prefix must end at a segment boundary: "/api" serves "/api/healthz", not "/apix/healthz".
    const path = pathname.slice(this.#basePath.length);
    let candidates = this.#exact.get(path);
    let parameter = '';
    if (!candidates) {
      candidates = this.#prefixed.filter((route) => path.startsWith(route.path) && path.length > route.path.length);
      if (candidates.length === 0) return undefined;
      parameter = decodedParameter(path.slice((candidates[0] as Route).path.length));
    }
    const route = candidates.find((candidate) => candidate.method === call.method);
    return route ? { route, parameter } : { allowed: candidates.map((candidate) => candidate.method) };
  }

  /** The 404 or 405 for a call `match` found no route for. */
  refusal(call: Pick<Request, 'method' | 'url'>, match: RouteMatch | undefined): GatewayError {
    if (match && !match.route) {
      const allowed = match.allowed.join(', ');
      return new GatewayError({
        status: 405,
        type: 'invalid_request_error',
        code: 'METHOD_NOT_ALLOWED',
        message: `${call.method} is not allowed here; use ${allowed}.`,
        headers: { allow: allowed },
      });
    }
    // A path can be as long as the server lets a request line be: quote enough to recognise it.
    const path = pathOf(call.url);
    return new GatewayError({
      status: 404,
      type: 'not_found_error',
      code: 'NOT_FOUND',
      message: `No route for ${call.method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}.`,
    });
  }
}

/** A path parameter; SDKs percent-encode it (a "/" in a model id as %2F), some do not. */
function decodedParameter(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The path of an absolute URL, as the URL parser would give it; plain paths skip building a URL object. */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (unusualPath.test(url.slice(start < 0 ? url.length : start))) {
    try {
      return new URL(url).pathname;
    } catch {
      return '/';
    }
  }
  if (start < 0) return '/';
  let end = url.length;
  for (const separator of ['?', '#']) {
    const at = url.indexOf(separator, start);
    if (at >= 0 && at < end) end = at;
  }
  return url.slice(start, end);
}
