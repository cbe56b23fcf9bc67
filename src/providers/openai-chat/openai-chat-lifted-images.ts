import { LiftedString } from '../../lib/json/json-lifted-string.js';
import { JsonLiftingReader, type JsonPath } from '../../lib/json/json-lifting-reader.js';

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

function isUrl(value: unknown): value is string | LiftedString {
  return typeof value === 'string' || value instanceof LiftedString;
}
