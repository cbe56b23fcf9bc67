/**
 * How a connection to an upstream failed, in the few kinds a client may be
 * told: the exact error (`ECONNREFUSED` on port 8443, a certificate's host
 * name, a DNS answer) would make the gateway an oracle for probing hosts and
 * ports, so it goes to the log and the client reads a fixed sentence.
 */
export type NetworkFailureKind = 'unreachable' | 'tls' | 'broken' | 'stalled' | 'failed';

/** What a client reads for each kind, after `Provider "name"`. */
const clientDetails: Record<NetworkFailureKind, string> = {
  unreachable: 'the upstream provider could not be reached',
  tls: 'a secure connection to the upstream provider could not be established',
  broken: 'the upstream provider closed the connection before its answer was complete',
  stalled: 'the upstream provider stopped sending its answer',
  failed: 'the connection to the upstream provider failed',
};

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const brokenCodes = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'HPE_INVALID_CHUNK_SIZE',
  'HPE_INVALID_CONSTANT',
]);
const stalledCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The error code of a network failure, looked for on the error and its causes (fetch wraps it: `TypeError: fetch failed`). */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ABORT_ERR') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The kind of a network failure, or undefined when `error` is not one (a
 * bug, a parse error): known codes, TLS codes, and fetch's own `fetch
 * failed` / `terminated` TypeErrors.
 *
 * @example
 * networkFailureKind(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:22'), { code: 'ECONNREFUSED' })); // 'unreachable'
 */
export function networkFailureKind(error: unknown): NetworkFailureKind | undefined {
  const code = networkErrorCode(error);
  if (code) {
    if (unreachableCodes.has(code)) return 'unreachable';
    if (brokenCodes.has(code)) return 'broken';
    if (stalledCodes.has(code)) return 'stalled';
    if (/^(ERR_TLS|ERR_SSL|EPROTO)|CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return 'tls';
  }
  if (error instanceof TypeError && (error.message === 'fetch failed' || error.message === 'terminated')) {
    return error.message === 'terminated' ? 'broken' : 'failed';
  }
  return undefined;
}

/** The fixed sentence a client reads for a network failure of `kind`. */
export function networkFailureDetail(kind: NetworkFailureKind): string {
  return clientDetails[kind];
}
