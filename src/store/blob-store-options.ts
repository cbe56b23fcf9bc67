import { z } from 'zod';
import type { BlobStore } from './blob-store.js';

const mebibyte = 1024 * 1024;

const isBlobStore = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as BlobStore).kind === 'string' &&
  ['put', 'get', 'delete'].every((name) => typeof (value as Record<string, unknown>)[name] === 'function');

/**
 * The `blobs` option of `createImageGateway`: where hosted image files and
 * stored results live. Your own `BlobStore` object, or a built-in backend by
 * `type`; absent, a bounded in-memory store.
 */
export const blobStoreOptionSchema = z.union([
  z.custom<BlobStore>(isBlobStore, 'must be a BlobStore (kind, put, get, delete) or { type: "memory" | "directory", ... }'),
  z
    .object({
      type: z.literal('memory'),
      /** Most bytes held at once; the oldest entries go first to make room. */
      maxBytes: z
        .int()
        .positive()
        .default(256 * mebibyte),
      /** Most entries held at once. */
      maxEntries: z.int().positive().default(10_000),
    })
    .strict(),
  z
    .object({
      type: z.literal('directory'),
      /** The directory the files go in (created when missing); give each gateway deployment its own. */
      path: z.string().min(1, 'must name a directory'),
      /** Most bytes kept on disk by this process; the oldest files go first to make room. */
      maxBytes: z
        .int()
        .positive()
        .default(1024 * mebibyte),
    })
    .strict(),
]);

export type BlobStoreOption = z.input<typeof blobStoreOptionSchema>;
export type ResolvedBlobStoreOption = z.output<typeof blobStoreOptionSchema>;
