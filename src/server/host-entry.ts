import type { Answer } from './answer.js';
import type { IncomingCall } from './incoming-call.js';

/** The gateway's host-neutral entry point, behind `fetch`. */
export type ServeCall = (call: IncomingCall) => Promise<Answer>;

/** What a host that writes answers itself (the Node adapters) needs from the gateway. */
export interface ServeHandle {
  serve: ServeCall;
  /** How long a response may wait for its client to take bytes before the connection is dropped. */
  writeStallTimeoutMs: number;
}

const serveKey = Symbol.for('image-gateway.serve');

/**
 * Keeps `serve` on the gateway object without making it public API: the
 * Node adapters call it to skip the Web Request/Response round trip.
 */
export function attachServe(gateway: object, handle: ServeHandle): void {
  Object.defineProperty(gateway, serveKey, { value: handle });
}

/** The gateway's serve handle, or undefined for an object not made by createImageGateway. */
export function serveOf(gateway: object): ServeHandle | undefined {
  const handle = (gateway as Record<symbol, unknown>)[serveKey] as ServeHandle | undefined;
  return typeof handle?.serve === 'function' ? handle : undefined;
}
