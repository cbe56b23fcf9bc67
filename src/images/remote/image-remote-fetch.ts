import { isIP } from 'node:net';
import { fetchBusyError, ImageFetchRefusal } from '../../errors/image-errors.js';
import type { AddressVerdict } from './image-address-policy.js';
import type { ImageByteBudget } from './image-byte-budget.js';
import type { FetchSlots } from './image-fetch-slots.js';
import type { HostResolver, RemoteConnector, RemoteResponse, ResolvedAddress } from './image-remote-types.js';

const maxRedirects = 3;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const requestHeaders = {
  accept: 'image/png,image/jpeg,image/gif,image/webp,*/*;q=0.1',
  'user-agent': 'image-gateway',
};

export interface RemoteFetchRules {
  allowRemoteUrls: boolean;
  allowHttpUrls: boolean;
  /** Ports besides 443 (and 80 with `allowHttpUrls`) that URLs may name. */
  allowRemotePorts: readonly number[];
  remoteTimeoutMs: number;
  maxImageBytes: number;
  checkAddress: (address: string) => AddressVerdict;
  /** The gateway-wide bound on fetches in flight (`images.maxConcurrentFetches`). */
  slots: FetchSlots;
  resolve: HostResolver;
  connect: RemoteConnector;
}

/**
 * Fetches one remote image without letting the URL reach the host's own
 * network: the scheme, every resolved address and every redirect hop are
 * checked before a connection is opened, the connection is pinned to the
 * checked address, and time and bytes are bounded. Failures are
 * `ImageFetchRefusal`s; an abort of `signal` rejects with its reason.
 *
 * The fetch waits for one of the gateway's fetch slots, within its
 * `remoteTimeoutMs`; when none frees in time it is a 503 `IMAGE_FETCH_BUSY`.
 * With a `budget` (the request's `maxTotalImageBytes`), a declared
 * `content-length` counts against it when the headers arrive, and any bytes
 * beyond it chunk by chunk.
 *
 * @example
 * const bytes = await fetchRemoteImage('https://example.com/cat.png', rules, signal);
 */
export async function fetchRemoteImage(
  url: string,
  rules: RemoteFetchRules,
  signal: AbortSignal,
  budget?: ImageByteBudget,
): Promise<Buffer> {
  signal.throwIfAborted();
  let current = checkUrl(url, rules);
  const timeout = AbortSignal.timeout(rules.remoteTimeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  try {
    await rules.slots.acquire(combined);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw fetchBusyError(rules.slots.size, rules.remoteTimeoutMs, error);
  }
  try {
    for (let hops = 0; ; hops++) {
      const response = await open(current, rules, combined).catch((error: unknown) => {
        throw hops > 0 ? afterRedirect(error, current) : error;
      });
      try {
        const location = response.header('location');
        if (redirectStatuses.has(response.status) && location) {
          if (hops >= maxRedirects) throw new ImageFetchRefusal('IMAGE_FETCH_FAILED', `was redirected more than ${maxRedirects} times`);
          current = checkUrl(new URL(location, current).href, rules, 'redirects to');
          continue;
        }
        return await readImageBody(response, rules.maxImageBytes, budget);
      } finally {
        await response.close().catch(() => {});
      }
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (timeout.aborted)
      throw new ImageFetchRefusal('IMAGE_FETCH_FAILED', `did not arrive within ${rules.remoteTimeoutMs} ms (images.remoteTimeoutMs)`);
    if (error instanceof ImageFetchRefusal) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ImageFetchRefusal('IMAGE_FETCH_FAILED', `could not be fetched: ${reason}`, { cause: error });
  } finally {
    rules.slots.release();
  }
}

/** A refusal met after a redirect says so, or the client would look for the problem in its own URL. */
function afterRedirect(error: unknown, url: URL): unknown {
  if (!(error instanceof ImageFetchRefusal)) return error;
  return new ImageFetchRefusal(error.code, `was redirected to ${url.origin}${url.pathname}, which ${error.detail}`, {
    cause: error,
    logDetail: error.logDetail,
  });
}

/** What common servers and CDNs accept in a request line; a longer image URL is not a real one. */
const maxUrlLength = 8192;
/** The longest name DNS can carry (RFC 1035). */
const maxHostnameLength = 253;

function checkUrl(text: string, rules: RemoteFetchRules, verb = 'is'): URL {
  if (text.length > maxUrlLength) {
    throw new ImageFetchRefusal('IMAGE_URL_REFUSED', `${verb} a URL of ${text.length} characters; the limit is ${maxUrlLength}`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ImageFetchRefusal('IMAGE_URL_REFUSED', `${verb} not a valid URL`);
  }
  if (!rules.allowRemoteUrls) {
    throw new ImageFetchRefusal(
      'IMAGE_URL_REFUSED',
      `${verb} a remote URL, and remote image URLs are disabled (images.allowRemoteUrls); send a base64 data: URL`,
    );
  }
  const allowedSchemes = rules.allowHttpUrls ? ['https:', 'http:'] : ['https:'];
  if (!allowedSchemes.includes(url.protocol)) {
    const hint = url.protocol === 'http:' ? ' (images.allowHttpUrls is off)' : '';
    throw new ImageFetchRefusal(
      'IMAGE_URL_REFUSED',
      `${verb} a ${url.protocol} URL; only ${allowedSchemes.join(' and ')} URLs are fetched${hint}`,
    );
  }
  if (url.username || url.password) throw new ImageFetchRefusal('IMAGE_URL_REFUSED', `${verb} a URL with credentials, which are not sent`);
  // URL leaves `port` empty for the scheme's default port.
  const port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
  const standardPorts = rules.allowHttpUrls ? [443, 80] : [443];
  if (!standardPorts.includes(port) && !rules.allowRemotePorts.includes(port)) {
    const allowed = rules.allowHttpUrls ? 'ports 443 and 80' : 'port 443';
    throw new ImageFetchRefusal(
      'IMAGE_URL_REFUSED',
      `${verb} a URL on port ${port}; only ${allowed} are fetched unless images.allowRemotePorts lists more`,
    );
  }
  if (url.hostname.length > maxHostnameLength) {
    throw new ImageFetchRefusal(
      'IMAGE_URL_REFUSED',
      `${verb} a URL whose host name is longer than DNS allows (${maxHostnameLength} characters)`,
    );
  }
  return url;
}

async function open(url: URL, rules: RemoteFetchRules, signal: AbortSignal): Promise<RemoteResponse> {
  const { address, family } = await approvedAddress(url, rules, signal);
  return rules.connect({ url, address, family, headers: requestHeaders }, signal);
}

/** Every address of the name must pass: a mixed answer is how rebinding attacks hide. */
async function approvedAddress(url: URL, rules: RemoteFetchRules, signal: AbortSignal): Promise<ResolvedAddress> {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(hostname);
  const addresses: ResolvedAddress[] = literal
    ? [{ address: hostname, family: literal === 6 ? 6 : 4 }]
    : await rules.resolve(hostname, signal).catch((error: unknown) => {
        if (signal.aborted) throw error;
        throw new ImageFetchRefusal('IMAGE_FETCH_FAILED', `has a host name that does not resolve (${hostname})`, { cause: error });
      });
  if (addresses.length === 0) throw new ImageFetchRefusal('IMAGE_FETCH_FAILED', `has a host name that does not resolve (${hostname})`);
  for (const { address } of addresses) {
    const verdict = rules.checkAddress(address);
    if (verdict.allowed) continue;
    // A literal address is the client's own text; what a name resolves to is the host's DNS, told only to the log.
    if (literal) {
      throw new ImageFetchRefusal(
        'IMAGE_URL_REFUSED',
        `points to ${address}, ${verdict.reason}; the gateway fetches only public addresses (see images.allowPrivateNetworks)`,
      );
    }
    throw new ImageFetchRefusal(
      'IMAGE_URL_REFUSED',
      `has a host that is not allowed (${hostname}); the gateway fetches only public addresses (see images.allowPrivateNetworks)`,
      { logDetail: `${hostname} resolves to ${address}, ${verdict.reason}` },
    );
  }
  return addresses[0]!;
}

/** Reads the body, counting bytes as they stream so an oversized answer is cut off early. */
async function readImageBody(response: RemoteResponse, maxBytes: number, budget: ImageByteBudget | undefined): Promise<Buffer> {
  if (response.status < 200 || response.status > 299) {
    throw new ImageFetchRefusal('IMAGE_FETCH_FAILED', `could not be fetched: the server answered HTTP ${response.status}`);
  }
  const contentType = response.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (
    contentType &&
    !contentType.startsWith('image/') &&
    contentType !== 'application/octet-stream' &&
    contentType !== 'binary/octet-stream'
  ) {
    throw new ImageFetchRefusal('IMAGE_FETCH_FAILED', `is not an image: the server answered with content type ${contentType}`);
  }
  const declaredLength = Number(response.header('content-length'));
  if (declaredLength > maxBytes) {
    throw new ImageFetchRefusal('IMAGE_TOO_LARGE', `is ${declaredLength} bytes; the limit is ${maxBytes} bytes (images.maxImageBytes)`);
  }
  // A declared length is taken from the request's total before any byte is read: five images of
  // 19 MiB then stop at the third one's headers, instead of each request pulling ~48 MiB through
  // the event loop and the garbage collector first (issue 19 item 4: blocks of 170-530 ms).
  const reserved = budget && Number.isSafeInteger(declaredLength) && declaredLength > 0 ? declaredLength : 0;
  if (budget && reserved > 0 && !budget.take(reserved)) {
    throw new ImageFetchRefusal(
      'IMAGE_TOO_LARGE',
      `is ${reserved} bytes, which brings the request's images to more than ${budget.limit} bytes (${budget.used} with it); the limit is images.maxTotalImageBytes per request`,
    );
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of response.body) {
    received += chunk.byteLength;
    if (received > maxBytes) {
      throw new ImageFetchRefusal(
        'IMAGE_TOO_LARGE',
        `is more than ${maxBytes} bytes (received ${received} so far); the limit is images.maxImageBytes`,
      );
    }
    // Only the bytes beyond what was reserved count now.
    const uncounted = Math.min(chunk.byteLength, received - reserved);
    if (budget && uncounted > 0 && !budget.take(uncounted)) {
      throw new ImageFetchRefusal(
        'IMAGE_TOO_LARGE',
        `brings the request's images to more than ${budget.limit} bytes (${budget.used} so far); the limit is images.maxTotalImageBytes per request`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, received);
}
