import { ImageData } from '../../images/image-data.js';
import { LiftedString } from '../../lib/json/json-lifted-string.js';
import { JsonLiftingReader } from '../../lib/json/json-lifting-reader.js';
import { mediaTypeFromBase64 } from '../shared/upstream-images.js';

/**
 * A reader for an Images API answer that lifts `data[i].b64_json` out: a
 * 1536x1024 PNG is several MB of base64, never decoded into a string,
 * parsed nor copied this way.
 */
export function newImagesAnswerReader(): JsonLiftingReader {
  return new JsonLiftingReader({
    liftAt: (path) => path.length === 3 && path[0] === 'data' && typeof path[1] === 'number' && path[2] === 'b64_json',
  });
}

/** The same for one `image_generation.*` / `image_edit.*` stream event: its top-level `b64_json`. */
export function newImagesEventReader(): JsonLiftingReader {
  return new JsonLiftingReader({ liftAt: (path) => path.length === 1 && path[0] === 'b64_json' });
}

/** The image of a `b64_json` field, a string or the lifted bytes it arrived in; its type declared or read from its first bytes. */
export function imageFromB64Json(value: string | LiftedString, declaredType: string | undefined): ImageData {
  if (typeof value === 'string') return ImageData.fromBase64(value, declaredType ?? mediaTypeFromBase64(value));
  return ImageData.fromBase64Pieces(value.pieces, declaredType ?? mediaTypeFromBase64(value.head(16)));
}

/** Whether a `b64_json` field holds anything. */
export function hasB64Json(value: string | LiftedString | null | undefined): value is string | LiftedString {
  return value instanceof LiftedString || (typeof value === 'string' && value !== '');
}
