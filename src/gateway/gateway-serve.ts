import type { Answer } from '../http/answer.js';
import type { IncomingCall } from '../http/incoming-call.js';

/** The gateway's host-neutral entry point, behind `fetch`. */
export type ServeCall = (call: IncomingCall) => Promise<Answer>;

const serveKey = Symbol.for('image-gateway.serve');

/**
 * Keeps `serve` on the gateway object without making it public API: the
 * Node adapters call it to skip the Web Request/Response round trip.
 */
export function attachServe(gateway: object, serve: ServeCall): void {
  Object.defineProperty(gateway, serveKey, { value: serve });
}

/** The gateway's `serve`, or undefined for an object not made by createImageGateway. */
export function serveOf(gateway: object): ServeCall | undefined {
  const serve = (gateway as Record<symbol, unknown>)[serveKey];
  return typeof serve === 'function' ? (serve as ServeCall) : undefined;
}
