import { ImageData } from '../../images/image-data.js';
import { LiftedString } from '../../lib/json/json-lifted-string.js';
import { JsonLiftingReader, type JsonPath } from '../../lib/json/json-lifting-reader.js';
import { type ImageDownloadOptions, imageFromDataUrl, imageFromUrl } from '../shared/upstream-images.js';
import type { ChatEventStep } from './openai-chat-events.js';

/** The longest `data:` header we look for the comma in; anything longer takes the string path. */
const maxHeaderLength = 256;

/**
 * A reader for a relay's completion or chunk that lifts the image URLs out
 * of it, where relays put them: `choices[i].message` (or `.delta`), in
 * `images[j]` or in `content[j]` parts, as `image_url.url`, `image_url` or
 * `url`, and the base64 of data URLs inside the `content` string (markdown).
 * A 15 MB data URL there is then never decoded, parsed nor copied.
 */
export function newChatJsonReader(): JsonLiftingReader {
  return new JsonLiftingReader({ liftAt: isChatImageUrlPath, liftPayloadsAt: isChatContentPath });
}

/** `choices[i].message.content` / `.delta.content`, where relays put markdown images (`![](data:image/png;base64,...)`). */
function isChatContentPath(path: JsonPath): boolean {
  return (
    path.length === 4 &&
    path[0] === 'choices' &&
    typeof path[1] === 'number' &&
    (path[2] === 'message' || path[2] === 'delta') &&
    path[3] === 'content'
  );
}

function isChatImageUrlPath(path: JsonPath): boolean {
  if (path.length < 6 || path.length > 7 || path[0] !== 'choices' || typeof path[1] !== 'number') return false;
  if ((path[2] !== 'message' && path[2] !== 'delta') || (path[3] !== 'images' && path[3] !== 'content')) return false;
  if (typeof path[4] !== 'number') return false;
  if (path.length === 7) return path[5] === 'image_url' && path[6] === 'url';
  return path[5] === 'image_url' || path[5] === 'url';
}

/** An image URL of an entry (`image_url.url`, `image_url` or `url`), as a string or as lifted bytes. */
export function imageUrlOf(entry: { image_url?: unknown; url?: unknown }): string | LiftedString | undefined {
  const nested = entry.image_url;
  const url = isUrl(nested) ? nested : ((nested as { url?: unknown } | undefined)?.url ?? entry.url);
  return isUrl(url) && url.length > 0 ? url : undefined;
}

/**
 * The image of a URL, as an event or a step that makes one when its turn
 * comes: a data URL (a lifted base64 one is wrapped as the pieces it arrived
 * in) is read at once, an https URL is downloaded when the step runs. A data
 * URL that is not an image fails when its step runs, after the events
 * before it, as a download would.
 */
export function imageStep(url: string | LiftedString, download: ImageDownloadOptions): ChatEventStep {
  const urlOrImage = typeof url === 'string' ? url : liftedBase64Image(url);
  if (urlOrImage instanceof ImageData) return { type: 'image', image: urlOrImage };
  if (!urlOrImage.startsWith('data:')) return async () => ({ type: 'image', image: await imageFromUrl(urlOrImage, download) });
  try {
    return { type: 'image', image: imageFromDataUrl(urlOrImage, download.provider) };
  } catch (error) {
    return () => Promise.reject(error);
  }
}

/** A lifted base64 image data URL as the pieces it arrived in; any other URL as a string. */
function liftedBase64Image(url: LiftedString): ImageData | string {
  const head = url.head(maxHeaderLength);
  const comma = head.indexOf(',');
  if (head.startsWith('data:') && comma !== -1) {
    const header = head.slice(5, comma);
    const mediaType = header.split(';')[0] ?? '';
    if (mediaType.startsWith('image/') && header.endsWith(';base64')) {
      return ImageData.fromBase64Pieces(url.slice(comma + 1).pieces, mediaType);
    }
  }
  return url.toString();
}

function isUrl(value: unknown): value is string | LiftedString {
  return typeof value === 'string' || value instanceof LiftedString;
}
