import { isIP } from 'node:net';
import { z } from 'zod';

const mebibyte = 1024 * 1024;

/** `127.0.0.0/8`, `::1/128` or a bare address (taken as a single host). */
const cidr = z.string().refine(isCidr, { error: 'must be an IPv4 or IPv6 CIDR such as "127.0.0.0/8" or "::1/128"' });

/** `images` options of `createImageGateway`: input limits, remote URL rules, normalisation, output encoding. */
export const imageOptionsSchema = z
  .object({
    /** Images the client may send in one request (seed 000: default 5, maximum 10). */
    maxImages: z.int().min(0).max(10, 'must be at most 10').default(5),
    /** Decoded bytes of one input image. */
    maxImageBytes: z
      .int()
      .positive()
      .default(20 * mebibyte),
    /** Decoded bytes of all input images of one request. */
    maxTotalImageBytes: z
      .int()
      .positive()
      .default(48 * mebibyte),
    /** Pixels of one input image, checked from its header before decoding. */
    maxPixels: z.int().positive().default(40_000_000),
    /**
     * Scans of one progressive JPEG, counted from its markers before
     * decoding: each scan is one more pass over every block (see
     * image-jpeg-scans.ts). Encoders write 1 to about 10.
     */
    maxJpegScans: z.int().min(1).max(1000).default(32),
    /** Fetch `https:` image URLs. */
    allowRemoteUrls: z.boolean().default(true),
    /** Also fetch plain `http:` URLs (off: they are refused). */
    allowHttpUrls: z.boolean().default(false),
    /**
     * Networks that remote image URLs may reach although they are private
     * (loopback, RFC 1918, link-local, ...). Empty by default: every
     * non-public address is refused. Meant for tests and intranet image
     * stores, e.g. `['127.0.0.1/32']`.
     */
    allowPrivateNetworks: z.array(cidr).default([]),
    /**
     * Ports remote image URLs may name besides 443 (and 80 with
     * `allowHttpUrls`): a URL on any other port is refused, so the gateway
     * cannot be used to probe which ports answer. E.g. `[8443]`.
     */
    allowRemotePorts: z.array(z.int().min(1).max(65_535)).default([]),
    /**
     * Remote image fetches in flight per gateway (client URLs and URLs in
     * model answers together); more wait, within `remoteTimeoutMs`, then
     * 503 `IMAGE_FETCH_BUSY`.
     */
    maxConcurrentFetches: z.int().min(1).max(10_000).default(16),
    /** Deadline for fetching one remote image (DNS, redirects and body), in ms. */
    remoteTimeoutMs: z.int().positive().max(2_147_483_647).default(15_000),
    /** Send inputs as JPEG (seed 000): clean JPEGs as sent, the rest re-encoded; false keeps PNG/WebP/GIF/JPEG as sent. */
    convertToJpeg: z.boolean().default(true),
    /** Quality of JPEG (and WebP) encoding, for re-encoded inputs and converted outputs. */
    jpegQuality: z.int().min(1).max(100).default(90),
    /**
     * Image conversions (sharp) running at once per gateway; more wait their
     * turn. Never more than libuv's thread pool less one (see
     * image-conversion-queue.ts): each holds a pool thread while it runs.
     */
    maxConcurrentConversions: z.int().min(1).max(64).default(2),
    /** Conversions that may wait for a turn; one more is a 503 `IMAGE_QUEUE_FULL`. */
    maxQueuedConversions: z.int().min(0).max(100_000).default(64),
    /**
     * sharp's `timeout` for one conversion, rounded up to whole seconds (what
     * sharp takes). A backstop: libvips checks it between strips, and cannot
     * interrupt a progressive JPEG's scans, which `maxJpegScans` bounds.
     */
    conversionTimeoutMs: z.int().min(1000).max(600_000).default(10_000),
    /** Output images: keep what the provider returned, or convert to one format. */
    outputFormat: z.enum(['original', 'jpeg', 'png', 'webp']).default('original'),
    /**
     * How output images reach the client: `inline` (a data URL or base64 in
     * the answer, seed 000's shape) or `url` (stored in the blob store and
     * linked: `![generated](https://…/v1/files/images/img_….png)`).
     */
    delivery: z.enum(['inline', 'url']).default('inline'),
    /** How long a hosted image file can be fetched, in seconds (OpenAI's own image URLs: one hour). */
    urlTtlSeconds: z
      .int()
      .min(1)
      .max(30 * 24 * 3600)
      .default(3600),
    /**
     * Secret that signs hosted image URLs (HMAC-SHA256 over id and expiry):
     * any process with it refuses a forged or expired URL without a lookup.
     */
    urlSigningSecret: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * Longest SSE line a streamed chat answer may write in inline delivery:
     * an image's data URL is split over several `delta.content` events to
     * stay under it (aiohttp clients refuse lines over 131 072 bytes). Off by default.
     */
    maxSseLineBytes: z
      .int()
      .min(4096)
      .max(64 * mebibyte)
      .optional(),
  })
  .strict();

export type ImageOptions = z.infer<typeof imageOptionsSchema>;

/** `conversionTimeoutMs` as the whole seconds sharp's `timeout` takes. */
export function conversionTimeoutSeconds(settings: Pick<ImageOptions, 'conversionTimeoutMs'>): number {
  return Math.ceil(settings.conversionTimeoutMs / 1000);
}

function isCidr(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
