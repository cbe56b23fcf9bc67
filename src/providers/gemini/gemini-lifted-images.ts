import { ImageData } from '../../images/image-data.js';
import { LiftedString } from '../../lib/json/json-lifted-string.js';
import { JsonLiftingReader, type JsonPath } from '../../lib/json/json-lifting-reader.js';
import { rasterMediaTypeOfBase64 } from '../shared/upstream-images.js';

/**
 * A reader for a Gemini answer (or one stream event) that lifts image data
 * out of it: `candidates[i].content.parts[j].inlineData.data`. A 4K image is
 * 20 MB of base64; read this way it is never decoded into a string, parsed
 * nor copied.
 */
export function newGeminiJsonReader(): JsonLiftingReader {
  return new JsonLiftingReader({ liftAt: isInlineDataPath });
}

function isInlineDataPath(path: JsonPath): boolean {
  return (
    path.length === 7 &&
    path[0] === 'candidates' &&
    path[2] === 'content' &&
    path[3] === 'parts' &&
    path[5] === 'inlineData' &&
    path[6] === 'data' &&
    typeof path[1] === 'number' &&
    typeof path[4] === 'number'
  );
}

/**
 * The image of an `inlineData` part, from its base64 as a string or as the
 * lifted bytes it arrived in, with the media type its first bytes show;
 * undefined when they are not a PNG, JPEG, GIF or WebP (whatever `mimeType`
 * says), so no SVG or other payload reaches a client as an image.
 */
export function imageFromInlineData(data: string | LiftedString): ImageData | undefined {
  const mediaType = rasterMediaTypeOfBase64(typeof data === 'string' ? data.slice(0, 24) : data.head(24));
  if (!mediaType) return undefined;
  return data instanceof LiftedString ? ImageData.fromBase64Pieces(data.pieces, mediaType) : ImageData.fromBase64(data, mediaType);
}
