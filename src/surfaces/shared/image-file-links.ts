import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Where hosted image files are served, below the base path. */
export const imageFilesPath = '/v1/files/images/';

/** `img_` and 32 hex characters: 128 random bits, the whole capability to read the file. */
const imageFileIdPattern = /^img_[0-9a-f]{32}$/;
const extensionOf: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};
const knownExtensions = new Set(Object.values(extensionOf));

/** Whether a URL reads as a hosted image file's link (of this gateway or another); its path ends with one. */
export function isHostedImageLink(url: string): boolean {
  return /^https?:\/\/[^\s?#]*\/v1\/files\/images\/img_[0-9a-f]{32}(?:\.[a-z]+)?(?:\?[^\s#]*)?$/.test(url);
}

/** A new hosted image file id. */
export function newImageFileId(): string {
  return `img_${randomBytes(16).toString('hex')}`;
}

/** The blob store key of a hosted image file: a namespace of its own beside stored results. */
export function imageFileKey(id: string): string {
  return `image-file:${id}`;
}

/**
 * The id in a file route's path parameter (`img_….png`), or undefined for
 * anything that is not one: such a path is answered 404 without a lookup.
 */
export function parseImageFileName(name: string): string | undefined {
  const dot = name.indexOf('.');
  const id = dot < 0 ? name : name.slice(0, dot);
  if (!imageFileIdPattern.test(id)) return undefined;
  if (dot >= 0 && !knownExtensions.has(name.slice(dot + 1))) return undefined;
  return id;
}

/** The file name a hosted image's URL ends with: the id and, for a known media type, its extension. */
export function imageFileName(id: string, mediaType: string): string {
  const extension = extensionOf[mediaType];
  return extension ? `${id}.${extension}` : id;
}

/**
 * Signs and checks hosted image URLs: `?expires=<epoch seconds>&signature=<HMAC>`,
 * so that any process with the secret refuses a forged or expired URL
 * before it touches storage.
 *
 * @example
 * const signer = new ImageLinkSigner(secret);
 * const query = signer.query('img_…', 1_765_000_000);
 * signer.verify('img_…', new URL(url).searchParams, Date.now()); // true while unexpired and untouched
 */
export class ImageLinkSigner {
  readonly #secret: string;

  constructor(secret: string) {
    this.#secret = secret;
  }

  /** The query string (without `?`) that signs `id` until `expiresAtSeconds`. */
  query(id: string, expiresAtSeconds: number): string {
    return `expires=${expiresAtSeconds}&signature=${this.#signature(id, expiresAtSeconds).toString('base64url')}`;
  }

  /** Whether the query carries this id's signature, with an expiry still ahead of `now` (epoch ms). */
  verify(id: string, query: URLSearchParams, now: number): boolean {
    const expires = query.get('expires') ?? '';
    const signature = query.get('signature') ?? '';
    if (!/^\d{1,12}$/.test(expires) || !/^[\w-]{43}$/.test(signature)) return false;
    const expiresAtSeconds = Number(expires);
    if (expiresAtSeconds * 1000 <= now) return false;
    const given = Buffer.from(signature, 'base64url');
    const expected = this.#signature(id, expiresAtSeconds);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #signature(id: string, expiresAtSeconds: number): Buffer {
    return createHmac('sha256', this.#secret).update(`image-file:${id}:${expiresAtSeconds}`).digest();
  }
}
