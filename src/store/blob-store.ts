/** One stored thing: its bytes, their media type, and a few string fields the writer wants back. */
export interface StoredBlob {
  readonly bytes: Uint8Array;
  /** e.g. `image/jpeg`, `application/json`. */
  readonly contentType: string;
  /** Small string fields kept with the bytes (owner scope, creation time, ...). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A blob as read back, with when it expires. */
export interface BlobEntry extends StoredBlob {
  /** Epoch ms after which the store no longer returns it. */
  readonly expiresAt: number;
}

/**
 * Where hosted image files and stored results live: put with a lifetime,
 * get, delete. Small on purpose, so a backend (memory, a directory, Redis,
 * S3-compatible storage) is a page of code.
 *
 * An expired or evicted key reads as `undefined`, never as something else.
 *
 * @example
 * await blobs.put('img_3f…', { bytes, contentType: 'image/jpeg' }, 3_600_000);
 * const entry = await blobs.get('img_3f…'); // undefined once expired or evicted
 */
export interface BlobStore {
  /** Which backend this is, for `stats()` and `/healthz`: `memory`, `directory`, `redis`, or your own. */
  readonly kind: string;
  put(key: string, blob: StoredBlob, ttlMs: number): Promise<void>;
  get(key: string): Promise<BlobEntry | undefined>;
  /** True when something was removed. */
  delete(key: string): Promise<boolean>;
  /** What it holds now and what it dropped to stay within bounds; a backend that cannot tell leaves fields out. */
  stats?(): BlobStoreStats;
  close?(): Promise<void>;
}

export interface BlobStoreStats {
  entries?: number;
  bytes?: number;
  /** Entries dropped before their time to stay within the bounds, oldest first. */
  evictions?: number;
}
