import { z } from 'zod';

const mebibyte = 1024 * 1024;

/** `images` options of `createImageGateway`: input limits, remote URL rules, normalisation, output encoding. */
export const imageOptionsSchema = z
  .object({
    /** Images one request may carry (seed 000: default 5, maximum 10). */
    maxImages: z.int().min(0).max(10, 'must be at most 10').default(5),
    /** Decoded bytes of one input image. */
    maxImageBytes: z.int().positive().default(20 * mebibyte),
    /** Decoded bytes of all input images of one request. */
    maxTotalImageBytes: z.int().positive().default(48 * mebibyte),
    /** Pixels of one input image, checked from its header before decoding. */
    maxPixels: z.int().positive().default(40_000_000),
    /** Fetch `https:` image URLs. */
    allowRemoteUrls: z.boolean().default(true),
    /** Also fetch plain `http:` URLs (off: they are refused). */
    allowHttpUrls: z.boolean().default(false),
    /** Deadline for fetching one remote image, in ms. */
    remoteTimeoutMs: z.int().positive().default(15_000),
    /** Convert inputs to JPEG (seed 000); false keeps PNG/WebP/GIF/JPEG as sent. */
    convertToJpeg: z.boolean().default(true),
    jpegQuality: z.int().min(1).max(100).default(90),
    /** Output images: keep what the provider returned, or convert to one format. */
    outputFormat: z.enum(['original', 'jpeg', 'png', 'webp']).default('original'),
  })
  .strict();

export type ImageOptions = z.infer<typeof imageOptionsSchema>;
