import { networkErrorCode, networkFailureDetail, networkFailureKind } from '../../errors/network-failure.js';
import { isAbortError, kindForStatus, UpstreamError, upstreamExcerpt } from '../../errors/upstream-error.js';
import type { GenerationSignal } from '../../provider.js';
import { retryAfterFromHeaders } from './retry-after.js';
import type { UpstreamHttp, UpstreamInit, UpstreamResponse, UpstreamResponseHead } from './upstream-http.js';

export interface UpstreamFetchOptions {
  provider: string;
  url: string;
  init: Omit<UpstreamInit, 'signal'>;
  signal: GenerationSignal;
  http: UpstreamHttp;
  /**
   * Turns a non-2xx answer into the provider's error. Receives the body text
   * (already read) so it can read the provider's own error envelope.
   */
  toError?: (response: UpstreamResponseHead, bodyText: string) => UpstreamError;
}

/**
 * One upstream HTTP call: aborts with the signal, turns network failures
 * and non-2xx answers into `UpstreamError`, lets abort errors through.
 */
export async function fetchUpstream(options: UpstreamFetchOptions): Promise<UpstreamResponse> {
  let response: UpstreamResponse;
  try {
    response = await options.http(options.url, { ...options.init, signal: options.signal });
  } catch (error) {
    if (options.signal.aborted || isAbortError(error)) throw options.signal.reason ?? error;
    // fetch's own text can repeat the URL with its credentials: the log gets only the network error code,
    // the client a fixed sentence (the code and the URL would tell it which hosts and ports answer).
    const message = `${options.init.method ?? 'GET'} ${redactUrl(options.url)} failed: ${networkErrorCode(error) ?? 'network error'}`;
    throw upstreamFailure(
      options.provider,
      options.url,
      message,
      error,
      undefined,
      networkFailureDetail(networkFailureKind(error) ?? 'failed'),
    );
  }
  if (response.ok) return response;
  const bodyText = await response.text().catch(() => '');
  if (response.status >= 300 && response.status < 400) throw redirectError(options, response);
  throw options.toError ? options.toError(response, bodyText) : genericUpstreamError(options.provider, options.url, response, bodyText);
}

/**
 * A redirect that was not followed (to another host, or from https to http):
 * the upstream moved, which is the configuration's problem, not the client's.
 */
function redirectError(options: UpstreamFetchOptions, response: UpstreamResponse): UpstreamError {
  const location = response.headers.get('location');
  // Origin and path say where it moved; a query may carry a signed token, so it stays out.
  const target = location ? URL.parse(location, options.url) : null;
  const where = target ? `${target.origin}${target.pathname}` : location ? '(invalid location)' : 'no location';
  return new UpstreamError({
    provider: options.provider,
    kind: 'server',
    status: response.status,
    message: `upstream answered ${response.status} to ${where}; redirects to another host or from https to http are not followed: point baseURL there if it moved`,
    clientDetail: `the upstream answered with a redirect (${response.status}) the gateway does not follow`,
    url: redactUrl(options.url),
  });
}

/**
 * The upstream broke down on the way (the connection, the answer's framing,
 * its bytes): a retryable `server` failure, with the URL's credentials taken
 * out. `clientDetail` replaces `message` for clients when the message names
 * what only the operator may read (a URL, a network error).
 *
 * @example
 * throw upstreamFailure('relay', url, 'the upstream answer broke off: socket hang up', error);
 */
export function upstreamFailure(
  provider: string,
  url: string,
  message: string,
  cause?: unknown,
  status?: number,
  clientDetail?: string,
): UpstreamError {
  return new UpstreamError({ provider, kind: 'server', status, message, url: redactUrl(url), cause, clientDetail });
}

/**
 * What a failure while reading an answer becomes (a connection reset
 * mid-body): the signal's reason when it aborted, abort errors and
 * upstream errors as they are, anything else a retryable failure saying
 * whose answer broke off.
 *
 * @example
 * catch (error) { throw transportFailure('gemini', 'Gemini', url, error, signal); }
 */
export function transportFailure(provider: string, upstreamName: string, url: string, error: unknown, signal: GenerationSignal): unknown {
  if (signal.aborted) return signal.reason ?? error;
  if (isAbortError(error) || UpstreamError.isInstance(error)) return error;
  const code = networkErrorCode(error);
  const text = (error as Error)?.message ?? String(error);
  return upstreamFailure(
    provider,
    url,
    `${upstreamName} answer broke off: ${code && !text.includes(code) ? `${code} ${text}` : text}`,
    error,
    undefined,
    networkFailureDetail(networkFailureKind(error) ?? 'broken'),
  );
}

/** The fallback mapping when a provider has no envelope of its own. */
export function genericUpstreamError(provider: string, url: string, response: UpstreamResponseHead, bodyText: string): UpstreamError {
  return new UpstreamError({
    provider,
    kind: kindForStatus(response.status),
    status: response.status,
    message: `upstream answered ${response.status}: ${upstreamExcerpt(bodyText)}`,
    retryAfterMs: retryAfterFromHeaders(response.headers),
    url: redactUrl(url),
  });
}

/** Removes credentials a URL may carry (`?key=`, user info) before it reaches a message. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    for (const name of [...parsed.searchParams.keys()]) {
      if (/key|token|secret|sig/i.test(name)) parsed.searchParams.set(name, 'REDACTED');
    }
    return parsed.toString();
  } catch {
    return '(invalid url)';
  }
}
