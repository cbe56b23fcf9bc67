import type { JsonPath } from '../../lib/json/json-lifting-reader.js';

/**
 * Whether a string at `path` of a chat request is an image URL, where the
 * schema takes one: `messages[i].content[j].image_url` (the string form),
 * `messages[i].content[j].image_url.url`, and the images of an earlier
 * assistant turn, `messages[i].images[j].image_url.url`. The request body
 * reader lifts big data URLs out of these places (see read-json-body.ts),
 * so a 10 MB upload is never a JS string.
 */
export function isChatRequestImageUrlPath(path: JsonPath): boolean {
  if (path.length < 5 || path.length > 6 || path[0] !== 'messages' || typeof path[1] !== 'number') return false;
  if ((path[2] !== 'content' && path[2] !== 'images') || typeof path[3] !== 'number' || path[4] !== 'image_url') return false;
  if (path.length === 6) return path[5] === 'url';
  return path[2] === 'content';
}

/**
 * Whether a string at `path` of a chat request is message text that may hold
 * markdown images with data URLs (`messages[i].content`, or a text part's
 * `text`): an earlier answer of the gateway carries its image this way,
 * and that image is image data, not text, for the body's text limit.
 */
export function isChatRequestTextPath(path: JsonPath): boolean {
  if (path[0] !== 'messages' || typeof path[1] !== 'number' || path[2] !== 'content') return false;
  if (path.length === 3) return true;
  return path.length === 5 && typeof path[3] === 'number' && path[4] === 'text';
}
