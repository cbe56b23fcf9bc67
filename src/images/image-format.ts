/** The input formats the gateway accepts. */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export const mediaTypeOf: Record<ImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

export type SniffResult = { format: ImageFormat } | { format: undefined; description: string };

/**
 * Tells the real format from the first bytes. The declared MIME type is never
 * trusted: a `data:image/png` URL may carry SVG, and SVG must not reach sharp
 * (librsvg would follow its external references).
 *
 * @example
 * sniffImageFormat(bytes); // { format: 'png' } or { format: undefined, description: 'SVG' }
 */
export function sniffImageFormat(bytes: Uint8Array): SniffResult {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { format: 'png' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { format: 'jpeg' };
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return { format: 'gif' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return { format: 'webp' };
  return { format: undefined, description: describeUnknown(bytes) };
}

function describeUnknown(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'empty';
  if (ascii(bytes, 0, 2) === 'BM') return 'BMP';
  if (ascii(bytes, 0, 4) === 'II*\0' || ascii(bytes, 0, 4) === 'MM\0*') return 'TIFF';
  if (ascii(bytes, 0, 4) === '%PDF') return 'PDF';
  if (startsWith(bytes, [0, 0, 1, 0])) return 'ICO';
  if (ascii(bytes, 4, 4) === 'ftyp') {
    const brand = ascii(bytes, 8, 4);
    return brand.startsWith('avi') ? 'AVIF' : brand.startsWith('hei') || brand.startsWith('mif') ? 'HEIC' : 'an ISO media file';
  }
  const head = ascii(bytes, 0, 512).trimStart().toLowerCase();
  if (head.includes('<svg')) return 'SVG';
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'HTML';
  if (head.startsWith('<')) return 'XML/HTML text';
  const truncatedOf = truncatedSignature(bytes);
  if (truncatedOf) return `a truncated ${truncatedOf}`;
  return 'not a recognised image';
}

/** A file cut off inside its signature still deserves a precise message. */
function truncatedSignature(bytes: Uint8Array): string | undefined {
  const signatures: [string, number[]][] = [
    ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
    ['JPEG', [0xff, 0xd8, 0xff]],
    ['GIF', [0x47, 0x49, 0x46, 0x38]],
  ];
  for (const [name, signature] of signatures) {
    if (bytes.length < signature.length && startsWith(signature, Array.from(bytes))) return name;
  }
  return undefined;
}

function startsWith(bytes: Uint8Array | number[], prefix: number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((value, index) => bytes[index] === value);
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, Math.min(bytes.length, start + length));
}
