import type { ServeCall } from './serve-call.js';
import type { UnreadBodyLimits } from './unread-body.js';

/** What a host that writes answers itself (the Node adapters) needs from a gateway. */
export interface HostEntry {
  serve: ServeCall;
  /** How long a response may wait for its client to take bytes before the connection is dropped. */
  writeStallTimeoutMs: number;
  /** How much of an upload an early answer (401, 404, 413) reads and discards before the connection closes. */
  unreadBody: UnreadBodyLimits;
}

/**
 * One registry per process, not per module copy: the package ships an ESM
 * and a CommonJS build, so a gateway made by `require('image-gateway')` may
 * be served by `import 'image-gateway/express'`, two copies of this module.
 */
const registryKey = Symbol.for('image-gateway.host-entries');
const processWide = globalThis as { [registryKey]?: WeakMap<object, HostEntry> };
processWide[registryKey] ??= new WeakMap();
const entries = processWide[registryKey];

/** Records the host entry of a gateway object; createImageGateway calls it once. */
export function registerHostEntry(gateway: object, entry: HostEntry): void {
  entries.set(gateway, entry);
}

/**
 * The host entry of a gateway made by createImageGateway: how the Node
 * adapters serve a request straight from IncomingMessage to ServerResponse,
 * with no Web Request or Response in between. It is not public API (the
 * public face of a gateway is `fetch`): an explicit internal entry rather
 * than a property hidden on the object.
 *
 * @example
 * const entry = hostEntryOf(gateway); // throws a TypeError for an object createImageGateway did not make
 */
export function hostEntryOf(gateway: object): HostEntry {
  const entry = entries.get(gateway);
  if (!entry) {
    throw new TypeError(
      'image-gateway: { gateway } must be a gateway made by createImageGateway; to serve another object, call its fetch from your own handler.',
    );
  }
  return entry;
}
