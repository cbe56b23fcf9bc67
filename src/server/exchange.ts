import { type LinkedSignal, linkSignals } from '../lib/cancel-signal.js';
import type { IncomingCall } from './incoming-call.js';

/** Who is calling, as far as accounting cares. */
export interface Caller {
  requestId: string;
  /** The key id the caller authenticated with (never the key itself). */
  keyId?: string;
  startedAt: number;
  /** The path of the route serving it, below the base path ("/v1/images/edits"): a bounded name for metrics and traces. */
  route?: string;
}

/**
 * One request in flight, as every step after authentication sees it: the
 * call it came in as, who sent it, and its deadline. The deadline follows
 * the client's departure and the request's total timeout: it is the one
 * signal every wait and upstream call of the request listens to.
 */
export interface Exchange {
  readonly call: IncomingCall;
  readonly caller: Caller;
  readonly deadline: LinkedSignal;
}

/**
 * Opens the exchange for an authenticated call; dispose its deadline when
 * the answer is complete (a stream: when it ends).
 *
 * @example
 * const exchange = openExchange(call, caller, options.routing.totalTimeoutMs);
 * try { ... } finally { exchange.deadline.dispose(); }
 */
export function openExchange(call: IncomingCall, caller: Caller, totalTimeoutMs: number): Exchange {
  return { call, caller, deadline: linkSignals([(listener) => call.clientGone(listener)], totalTimeoutMs) };
}
