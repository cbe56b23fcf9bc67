import { decodeBase64Pieces } from '../../lib/base64-pieces.js';
import { LiftedString } from '../../lib/json/json-lifted-string.js';

/** What a `data:` URL held, once its base64 is decoded. */
export interface DecodedDataUrl {
  /** The MIME type the client declared; only a hint, the bytes are sniffed later. */
  declaredType: string;
  bytes: Buffer;
  /**
   * The payload itself when it is already canonical base64 (standard
   * alphabet, padded, unwrapped), so an image passed on unchanged can reuse
   * it instead of encoding its bytes again: a string, or the bytes it was
   * lifted out of the request as. Undefined otherwise.
   */
  canonicalBase64?: string | LiftedString;
}

export type DataUrlResult = { ok: true; value: DecodedDataUrl } | { ok: false; reason: string; tooLarge?: number };

const invalidCharacter = /[^A-Za-z0-9+/\-_= \t\r\n\f\v]/;
const whitespace = /[ \t\r\n\f\v]/;
const paddingTail = /^[= \t\r\n\f\v]*$/;

/**
 * Decodes a base64 `data:` URL once, straight into a Buffer. Line breaks and
 * the URL-safe alphabet (`-`, `_`) are tolerated, since Node's decoder
 * accepts both; anything else that is not base64 is refused, because Node
 * would silently skip it and hand sharp garbage. `maxBytes` is checked on
 * the computed decoded length before any allocation.
 *
 * A URL the body reader lifted out of the request (`LiftedString`) is
 * decoded from its bytes a slice at a time, never made a whole string.
 *
 * @example
 * decodeDataUrl('data:image/png;base64,iVBORw0KGgo...', 20 * 1024 * 1024);
 */
export function decodeDataUrl(url: string | LiftedString, maxBytes: number): DataUrlResult {
  const comma = url.indexOf(',');
  const head = typeof url === 'string' ? url : url.head(Math.max(5, comma));
  if (head.slice(0, 5).toLowerCase() !== 'data:' || comma < 0) return { ok: false, reason: 'is not a valid data: URL' };
  const header = head.slice(5, comma);
  const parameters = header.split(';').map((part) => part.trim().toLowerCase());
  if (!parameters.includes('base64')) {
    return { ok: false, reason: 'is a data: URL without ";base64"; only base64 data URLs are accepted' };
  }
  const declaredType = parameters[0] || 'application/octet-stream';
  if (url instanceof LiftedString) {
    const payload = url.slice(comma + 1);
    // Base64 with anything unusual in it takes the checked path, as a string: rare, and bounded by maxBodyBytes.
    return decodeFastPieces(payload, declaredType, maxBytes) ?? decodeChecked(payload.toString(), declaredType, maxBytes);
  }
  // A sliced string shares the request body's memory, so no copy is made here.
  const payload = url.slice(comma + 1);
  return decodeFast(payload, declaredType, maxBytes) ?? decodeChecked(payload, declaredType, maxBytes);
}

/**
 * The common case, clean unwrapped base64, without a validation pass:
 * Node's decoder skips characters that are not base64, so when the output
 * has exactly the length every character accounts for, none was skipped.
 * (Only a length of 4k+1 symbols could hide one skipped character, and that
 * length is invalid anyway.) Anything else takes the checked path.
 */
function decodeFast(payload: string, declaredType: string, maxBytes: number): DataUrlResult | undefined {
  let end = payload.length;
  while (end > 0 && payload.charCodeAt(end - 1) === 0x3d) end--;
  if (end === 0 || end % 4 === 1 || payload.length - end > 2) return undefined;
  const expected = Math.floor((end * 3) / 4);
  if (expected > maxBytes) return undefined;
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.length !== expected) return undefined;
  const canonical = payload.length % 4 === 0 && !payload.includes('-') && !payload.includes('_');
  return { ok: true, value: { declaredType, bytes, canonicalBase64: canonical ? payload : undefined } };
}

/** `decodeFast` for base64 held as bytes in pieces; the same checks, decoded slice by slice. */
function decodeFastPieces(payload: LiftedString, declaredType: string, maxBytes: number): DataUrlResult | undefined {
  const padding = trailingPadding(payload.pieces);
  const end = payload.length - padding;
  if (end === 0 || end % 4 === 1 || padding > 2) return undefined;
  const expected = Math.floor((end * 3) / 4);
  if (expected > maxBytes) return undefined;
  const bytes = decodeBase64Pieces(payload.pieces, expected);
  if (!bytes) return undefined;
  const canonical = payload.length % 4 === 0 && payload.indexOf('-') === -1 && payload.indexOf('_') === -1;
  return { ok: true, value: { declaredType, bytes, canonicalBase64: canonical ? payload : undefined } };
}

/** How many `=` end the text, counting up to three (more than two is not padding). */
function trailingPadding(pieces: readonly Buffer[]): number {
  let count = 0;
  for (let index = pieces.length - 1; index >= 0; index--) {
    const piece = pieces[index] as Buffer;
    for (let position = piece.length - 1; position >= 0; position--) {
      if (piece[position] !== 0x3d || count === 3) return count;
      count += 1;
    }
  }
  return count;
}

/** Validates character by character, to tolerate line breaks and to say what is wrong. */
function decodeChecked(payload: string, declaredType: string, maxBytes: number): DataUrlResult {
  const invalid = invalidCharacter.exec(payload);
  if (invalid) {
    const shown = JSON.stringify(invalid[0]);
    return { ok: false, reason: `is not valid base64: character ${shown} at position ${invalid.index} of the data` };
  }
  const firstPadding = payload.indexOf('=');
  if (firstPadding >= 0 && !paddingTail.test(payload.slice(firstPadding))) {
    return { ok: false, reason: `is not valid base64: "=" padding at position ${firstPadding} is followed by more data` };
  }
  const symbols = countSymbols(payload, firstPadding);
  if (symbols === 0) return { ok: false, reason: 'is an empty data: URL' };
  if (symbols % 4 === 1) return { ok: false, reason: 'is not valid base64: the data is cut off (length is not a multiple of 4)' };
  const decodedLength = Math.floor((symbols * 3) / 4);
  if (decodedLength > maxBytes) return { ok: false, reason: 'is too large', tooLarge: decodedLength };
  return { ok: true, value: { declaredType, bytes: Buffer.from(payload, 'base64') } };
}

/** Base64 symbols before the padding, ignoring whitespace. */
function countSymbols(payload: string, firstPadding: number): number {
  const data = firstPadding >= 0 ? payload.slice(0, firstPadding) : payload;
  if (!whitespace.test(data)) return data.length;
  let count = 0;
  for (let index = 0; index < data.length; index++) {
    const code = data.charCodeAt(index);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09 && code !== 0x0c && code !== 0x0b) count++;
  }
  return count;
}
