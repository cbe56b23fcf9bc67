import { badIdempotencyKey, maxIdempotencyKeyLength } from './result-errors.js';

/** Visible ASCII only: what survives every proxy and log unchanged. */
const visibleAscii = /^[\x21-\x7e]+$/;

/**
 * The request's `Idempotency-Key` header (IETF httpapi draft), checked:
 * undefined when absent; a 400 when empty, longer than 255 characters or
 * holding anything but visible ASCII. Quotes around the key (the draft's
 * structured-field string form) are taken off.
 *
 * @example
 * const key = idempotencyKeyOf(call.header('idempotency-key')); // "3f1c…" or undefined
 */
export function idempotencyKeyOf(header: string | null): string | undefined {
  if (header === null) return undefined;
  let key = header.trim();
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) key = key.slice(1, -1);
  if (key.length === 0) throw badIdempotencyKey('it is empty');
  if (key.length > maxIdempotencyKeyLength) throw badIdempotencyKey(`it has ${key.length} characters`);
  if (!visibleAscii.test(key)) throw badIdempotencyKey('it holds a space, a control character or a non-ASCII character');
  return key;
}
