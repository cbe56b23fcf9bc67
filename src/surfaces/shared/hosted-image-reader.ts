import type { BlobStore } from '../../store/blob-store.js';
import { type ImageLinkSigner, imageFileKey, parseImageFileName } from './image-file-links.js';

const hostedPath = /\/v1\/files\/images\/([^/]+)$/;

/**
 * Reads the gateway's own hosted image links from its store, for the
 * ingester (`readHostedImage`): a chat client sends the previous answer's
 * `![generated](https://…/v1/files/images/img_….jpeg)` back with its next
 * turn. Any host is taken, as a proxy or `publicUrl` may name another: the
 * id is the capability, and one this store does not hold (another
 * gateway's) is left to the ordinary fetch. Signed links must verify.
 *
 * @example
 * createImageIngester(options.images, { readHostedImage: hostedImageReader(blobs, signer, Date.now) });
 */
export function hostedImageReader(
  blobs: BlobStore,
  signer: ImageLinkSigner | undefined,
  now: () => number,
): (url: string) => Promise<Uint8Array | undefined> {
  return async (url) => {
    if (!url.includes('/v1/files/images/img_')) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    const name = hostedPath.exec(parsed.pathname)?.[1];
    const id = name ? parseImageFileName(name) : undefined;
    if (!id) return undefined;
    if (signer && !signer.verify(id, parsed.searchParams, now())) return undefined;
    try {
      return (await blobs.get(imageFileKey(id)))?.bytes;
    } catch {
      // The store failing: the ordinary fetch may still reach the file through another process.
      return undefined;
    }
  };
}
