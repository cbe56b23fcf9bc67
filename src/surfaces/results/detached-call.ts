import type { IncomingCall } from '../../server/incoming-call.js';

/** Never aborts: a detached generation does not follow its client. */
const neverGone = new AbortController().signal;
const noDeparture = (): (() => void) => () => {};

/**
 * The call as a detached generation sees it: the same request, but its
 * client's departure is not heard, so nothing the generation waits on is
 * cancelled by it. Its body was read before it was detached.
 */
export function detachedCall(call: IncomingCall): IncomingCall {
  return {
    method: call.method,
    url: call.url,
    clientAddress: call.clientAddress,
    header: (name) => call.header(name),
    signal: neverGone,
    clientGone: noDeparture,
    body: () => undefined,
    request: () => call.request(),
  };
}
