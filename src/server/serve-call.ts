import { shuttingDownError } from '../errors/admission-errors.js';
import { redactedMessage, toGatewayError } from '../errors/to-gateway-error.js';
import type { GatewayLogger } from '../lib/logger.js';
import { randomHex } from '../lib/random-hex.js';
import type { RedactSecrets } from '../lib/secret-redaction.js';
import type { Answer } from './answer.js';
import type { Authenticator } from './auth.js';
import { type CorsOption, corsHeaders, withHeaders } from './cors.js';
import { errorAnswer } from './error-answer.js';
import type { IncomingCall } from './incoming-call.js';
import type { InflightTracker } from './inflight-tracker.js';
import type { Router } from './router.js';

/** The gateway's host-neutral entry point: one call in, one answer out. What `fetch` and the Node adapters run. */
export type ServeCall = (call: IncomingCall) => Promise<Answer>;

export interface ServeCallOptions {
  router: Router;
  authenticator: Authenticator;
  cors: CorsOption;
  inflight: InflightTracker;
  /** Whether the gateway is shutting down: routes that start work are refused. */
  closing: () => boolean;
  redactSecrets: RedactSecrets;
  now: () => number;
  logger?: GatewayLogger;
}

/**
 * Serves one call the way every host sees it: a request id (the client's
 * `x-request-id` when it is a plain token), CORS and its preflight, the
 * route (404 and 405 for the rest), authentication, then the route's own
 * answer. Any failure becomes its OpenAI-style error answer, logged as a
 * rejection (4xx) or a failure (5xx, with its cause redacted).
 *
 * @example
 * const serve = createServeCall({ router, authenticator, cors: false, inflight, closing: () => false, redactSecrets, now: Date.now });
 * const answer = await serve(callFromRequest(request));
 */
export function createServeCall(options: ServeCallOptions): ServeCall {
  const { router, authenticator, inflight, logger, now } = options;

  async function handle(call: IncomingCall, requestId: string): Promise<Answer> {
    const match = router.match(call);
    if (!match?.route) throw router.refusal(call, match);
    const { route, parameter } = match;
    if (route.open) {
      const authenticated = await acceptedKey(authenticator, call);
      return route.handle({
        call,
        caller: { requestId, startedAt: now(), route: route.path, ...authenticated },
        parameter,
        authenticated: authenticated !== undefined,
      });
    }
    const authenticated = authenticator.authenticate(call);
    const caller = {
      requestId,
      startedAt: now(),
      route: route.path,
      ...(authenticated instanceof Promise ? await authenticated : authenticated),
    };
    if (route.startsWork && options.closing()) throw shuttingDownError();
    return route.handle({ call, caller, parameter });
  }

  return async (call) => {
    const requestId = requestIdFor(call);
    const cors = corsHeaders(options.cors, call);
    if (call.method === 'OPTIONS' && options.cors !== false && router.match(call)) {
      return withRequestId({ status: 204, headers: cors }, requestId);
    }
    const done = inflight.begin(call);
    try {
      const answer = await handle(call, requestId);
      done();
      return withRequestId(withHeaders(answer, cors), requestId);
    } catch (caught) {
      done();
      const error = toGatewayError(caught, options.redactSecrets);
      if (error.status >= 500) {
        const cause = redactedMessage(String((caught as Error)?.message ?? caught), options.redactSecrets);
        logger?.error({ requestId, status: error.status, code: error.code, cause }, 'request failed');
      } else if (error.logDetail) {
        logger?.info({ requestId, status: error.status, code: error.code, detail: error.logDetail }, 'request rejected');
      } else logger?.info({ requestId, status: error.status, code: error.code }, 'request rejected');
      return withRequestId(errorAnswer(error, cors), requestId);
    }
  };
}

/**
 * For an open route: the caller's key id when the call carries credentials
 * the gateway accepts; undefined without any, with wrong ones (the open
 * route still answers, with what it shows everyone), or when access is open.
 */
async function acceptedKey(authenticator: Authenticator, call: IncomingCall): Promise<{ keyId?: string } | undefined> {
  if (!authenticator.enabled || !call.header('authorization')) return undefined;
  try {
    return await authenticator.authenticate(call);
  } catch {
    return undefined;
  }
}

/**
 * The request id under both names: `x-request-id` is what the OpenAI SDKs
 * read into `request_id` (and `APIError.requestID`), `x-gateway-request-id`
 * the gateway's own name for it.
 */
function withRequestId(answer: Answer, requestId: string): Answer {
  answer.headers['x-request-id'] = requestId;
  answer.headers['x-gateway-request-id'] = requestId;
  return answer;
}

/** The client's `x-request-id` when it is a plain token of at most 128 characters; otherwise a new one. */
function requestIdFor(call: IncomingCall): string {
  const incoming = call.header('x-request-id');
  if (incoming && /^[\w.:-]{1,128}$/.test(incoming)) return incoming;
  return `req_${randomHex(20)}`;
}
