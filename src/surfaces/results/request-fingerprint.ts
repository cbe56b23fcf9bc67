import { createHash, type Hash } from 'node:crypto';
import { ImageData } from '../../images/image-data.js';
import { LiftedString } from '../../lib/json/json-lifted-string.js';

/**
 * The fingerprint of a request as the gateway understood it: SHA-256 over
 * the route's path and the validated request, written canonically (object
 * keys sorted, no whitespace, numbers as JavaScript prints them), so key
 * order, spacing and `1.0` against `1` do not matter; every field the
 * request carries does, `stream` included. A lifted data URL and an image
 * are hashed by their bytes, never copied into a string.
 *
 * @example
 * const fingerprint = requestFingerprint('/v1/chat/completions', prepared.chat);
 */
export function requestFingerprint(path: string, request: unknown): string {
  const hash = createHash('sha256');
  hash.update(path);
  hash.update('\n');
  writeCanonical(hash, request);
  return hash.digest('base64url');
}

function writeCanonical(hash: Hash, value: unknown): void {
  if (value === null || value === undefined) {
    hash.update('null');
    return;
  }
  switch (typeof value) {
    case 'string':
      hash.update(JSON.stringify(value));
      return;
    case 'number':
    case 'boolean':
      hash.update(String(value));
      return;
    case 'object':
      break;
    default:
      hash.update('null');
      return;
  }
  if (value instanceof LiftedString) {
    // A lifted string's bytes are its JSON text (printable ASCII), so it hashes as the string would.
    hash.update('"');
    for (const piece of value.pieces) hash.update(piece);
    hash.update('"');
    return;
  }
  if (value instanceof ImageData) {
    hash.update(`image:${value.mediaType}:`);
    hash.update(value.bytes());
    return;
  }
  if (value instanceof Uint8Array) {
    hash.update('bytes:');
    hash.update(value);
    return;
  }
  if (Array.isArray(value)) {
    hash.update('[');
    value.forEach((item, index) => {
      if (index > 0) hash.update(',');
      writeCanonical(hash, item);
    });
    hash.update(']');
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  hash.update('{');
  keys.forEach((key, index) => {
    if (index > 0) hash.update(',');
    hash.update(JSON.stringify(key));
    hash.update(':');
    writeCanonical(hash, record[key]);
  });
  hash.update('}');
}
