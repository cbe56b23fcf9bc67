import { describe, expect, it } from 'vitest';
import { decodeDataUrl } from '../../src/images/ingest/image-data-url.js';
import { decodeBase64Pieces, encodeBase64Bytes } from '../../src/lib/base64-pieces.js';
import { LiftedString } from '../../src/lib/json/json-lifted-string.js';

/** `text` as ASCII bytes cut every `size` bytes, the way a body arrives in chunks. */
function cut(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text, 'latin1');
  const pieces: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, start + size));
  return pieces;
}

const bytes = Buffer.from(Array.from({ length: 90_001 }, (_, index) => (index * 7919 + (index >> 9)) % 256));
/** One-byte pieces for short texts only: a piece per byte of a long one takes seconds. */
const sizes = (length: number) => (length < 5000 ? [1, 3, 5, 4096, 1_000_000] : [7, 4096, 65_536, 100_001, 1_000_000]);

describe('decodeBase64Pieces', () => {
  it('decodes base64 cut anywhere to the bytes it encodes, padded or not, standard or URL-safe', () => {
    for (const length of [1, 2, 3, 4, 1000, 90_001]) {
      const original = bytes.subarray(0, length);
      for (const text of [original.toString('base64'), original.toString('base64url')]) {
        for (const size of sizes(text.length)) {
          expect(decodeBase64Pieces(cut(text, size), length)?.equals(original), `${length} bytes in pieces of ${size}`).toBe(true);
        }
      }
    }
  });

  it('refuses text with a character the decoder would skip, or padding before the end', () => {
    const text = bytes.subarray(0, 90_000).toString('base64');
    for (const broken of [
      `${text.slice(0, 1000)}!${text.slice(1001)}`,
      `${text.slice(0, 8)}==${text.slice(10)}`,
      `${text.slice(0, -1)} `,
    ]) {
      for (const size of sizes(broken.length)) expect(decodeBase64Pieces(cut(broken, size), 90_000), `pieces of ${size}`).toBeUndefined();
    }
  });
});

describe('encodeBase64Bytes', () => {
  it("writes Node's base64 as ASCII bytes, for every length around the slice boundaries", () => {
    for (const length of [0, 1, 2, 3, 4, 49_151, 49_152, 49_153, 90_001]) {
      const original = bytes.subarray(0, length);
      expect(encodeBase64Bytes(original).toString('latin1'), `${length} bytes`).toBe(original.toString('base64'));
    }
  });
});

describe('decodeDataUrl of a lifted URL', () => {
  const base64 = bytes.toString('base64');
  const variants: Record<string, string> = {
    canonical: `data:image/png;base64,${base64}`,
    'URL-safe': `data:image/png;base64,${bytes.toString('base64url')}`,
    unpadded: `data:image/png;base64,${base64.replace(/=+$/, '')}`,
    'with spaces': `data:image/png;base64,${base64.slice(0, 5000)} ${base64.slice(5000)}`,
    'a bad character': `data:image/png;base64,${base64.slice(0, 100_000)}*${base64.slice(100_001)}`,
    'padding inside': `data:image/png;base64,${base64.slice(0, 4000)}=${base64.slice(4001)}`,
    'cut to 4k+1': `data:image/png;base64,${base64.slice(0, 100_001)}`,
    'three = at the end': `data:image/png;base64,${base64.replace(/=+$/, '')}===`,
    'no base64 parameter': `data:image/png,${base64}`,
    'no comma': `data:image/png;base64${base64}`,
    'an uppercase header': `DATA:IMAGE/PNG;BASE64,${base64}`,
    'not a data URL': `https://example.com/${base64}`,
  };

  it.each(Object.entries(variants))('reads %s exactly as the same URL as a string', (_name, url) => {
    for (const limit of [20_000_000, 50_000]) {
      const asString = decodeDataUrl(url, limit);
      for (const size of sizes(url.length)) {
        const lifted = decodeDataUrl(new LiftedString(cut(url, size)), limit);
        expect(comparable(lifted), `pieces of ${size}, limit ${limit}`).toEqual(comparable(asString));
      }
    }
  });
});

/** A result with its canonical base64 as text, whichever form holds it. */
function comparable(result: ReturnType<typeof decodeDataUrl>) {
  if (!result.ok) return result;
  const { canonicalBase64, ...rest } = result.value;
  return { ...rest, canonicalBase64: canonicalBase64?.toString() };
}
