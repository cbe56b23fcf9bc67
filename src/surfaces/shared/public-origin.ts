import type { IncomingCall } from '../../server/incoming-call.js';

export interface PublicOriginOptions {
  /** The `publicUrl` option, without a trailing slash. */
  publicUrl?: string;
  trustProxy: boolean;
  basePath: string;
}

const plainHost = /^(?:[\w.-]+|\[[\da-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Where a client reaches the gateway's routes from outside, for links it is
 * given (hosted image files): the `publicUrl` option, else the request's own
 * scheme and Host. `X-Forwarded-Proto` and `X-Forwarded-Host` count only
 * with `trustProxy`: without a proxy that sets them, a client could point
 * the links it hands on to others at any host it likes.
 *
 * @example
 * publicBase(call, { trustProxy: false, basePath: '/api' }); // "http://localhost:8080/api"
 */
export function publicBase(call: IncomingCall, options: PublicOriginOptions): string {
  if (options.publicUrl !== undefined) return options.publicUrl + options.basePath;
  const url = new URL(call.url);
  let scheme = url.protocol.slice(0, -1);
  let host = url.host;
  if (options.trustProxy) {
    const forwardedProto = firstValue(call.header('x-forwarded-proto'))?.toLowerCase();
    if (forwardedProto === 'http' || forwardedProto === 'https') scheme = forwardedProto;
    const forwardedHost = firstValue(call.header('x-forwarded-host'));
    if (forwardedHost && plainHost.test(forwardedHost)) host = forwardedHost;
  }
  return `${scheme}://${host}${options.basePath}`;
}

/** The first of a comma-separated list: the one the outermost proxy wrote. */
function firstValue(header: string | null): string | undefined {
  if (!header) return undefined;
  const comma = header.indexOf(',');
  return (comma < 0 ? header : header.slice(0, comma)).trim();
}
