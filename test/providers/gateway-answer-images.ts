/**
 * Reading the images out of a gateway answer the way a client would:
 * decoding the data URLs, not trusting what the answer claims.
 */
import sharp, { type Metadata } from 'sharp';

/** Decoded metadata of every `data:image/...` URL in some text (a JSON answer or an SSE body). */
export async function decodedImages(text: string): Promise<Array<{ width?: number; height?: number }>> {
  const urls = [...text.matchAll(/data:image\/[a-z]+;base64,([A-Za-z0-9+/=]+)/g)].map((match) => match[1] ?? '');
  return Promise.all(urls.map(async (base64) => sharp(Buffer.from(base64, 'base64')).metadata()));
}

/** Decoded metadata of one data URL. */
export function decodeDataUrl(url: string): Promise<Metadata> {
  return sharp(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')).metadata();
}
