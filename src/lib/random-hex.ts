const pool = new Uint8Array(4096);
let offset = pool.length;
const hexOfByte = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * `length` random lowercase hex characters, for request and completion ids.
 * Bytes come from one `crypto.getRandomValues` call per 4 KB: per id, that
 * costs a fraction of `crypto.randomUUID()` through WebCrypto. Ids are
 * unique, not secret.
 *
 * @example
 * const id = `chatcmpl-${randomHex(24)}`;
 */
export function randomHex(length: number): string {
  const bytes = Math.ceil(length / 2);
  if (offset + bytes > pool.length) {
    crypto.getRandomValues(pool);
    offset = 0;
  }
  let text = '';
  for (let index = offset; index < offset + bytes; index++) text += hexOfByte[pool[index] as number];
  offset += bytes;
  return text.length === length ? text : text.slice(0, length);
}
