import { ImageData } from '../../images/image-data.js';
import type { ProviderContext } from '../../provider.js';
import { upstreamHttpOf } from '../shared/provider-context.js';
import { fetchUpstream } from '../shared/upstream-fetch.js';
import { fluxAnswerError, fluxDownloadError, fluxTransportError } from './flux-errors.js';

/** The image type from magic bytes, for delivery hosts that answer `application/octet-stream`. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') return 'image/webp';
  return undefined;
}

/**
 * Downloads `result.sample` right away (the signed URL lives ~10 minutes).
 * No `x-key` goes along: the sample sits on a delivery host, not the API.
 */
export async function downloadFluxSample(options: {
  provider: string;
  url: string;
  signal: AbortSignal;
  fetch: ProviderContext['fetch'];
}): Promise<ImageData> {
  const { provider, url, signal } = options;
  const response = await fetchUpstream({
    provider,
    url,
    init: { method: 'GET' },
    signal,
    http: upstreamHttpOf(options),
    toError: (failed) => fluxDownloadError(provider, url, failed),
  });
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw fluxTransportError(provider, url, error, signal);
  }
  const declared = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  const mediaType = sniffImageType(bytes) ?? (declared?.startsWith('image/') ? declared : undefined);
  if (!mediaType) throw fluxAnswerError(provider, url, `FLUX result is not an image (${declared ?? 'no content-type'})`);
  return ImageData.fromBytes(bytes, mediaType);
}
