import { nextJpegMarker } from '../image-jpeg-scans.js';

/**
 * Decides from its markers alone whether a JPEG can go to providers exactly
 * as sent. Re-encoding decodes every pixel (12 MB for 4 MP) and costs tens of
 * ms of CPU per image; for a JPEG that carries nothing the conversion would
 * remove or change, it only produces a second generation of the same picture.
 *
 * A JPEG is clean when, from SOI to EOI:
 * - its frame is baseline, extended sequential or progressive (Huffman),
 *   8-bit, greyscale or YCbCr: what every decoder reads and what sharp writes;
 * - it has no application segment but a JFIF header without a thumbnail, and
 *   no comment, anywhere: no EXIF (so no orientation to apply), no XMP, GPS,
 *   ICC profile (so no colour conversion), IPTC, Adobe or multi-picture data;
 * - nothing follows its end-of-image marker (no appended trailer or video).
 *
 * Whether its entropy-coded data decodes is for sharp to check.
 *
 * @example
 * whyJpegNeedsReencoding(bytes); // undefined, or "it carries an EXIF segment (APP1)"
 */
export function whyJpegNeedsReencoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return 'it does not start with SOI';
  let offset = 2;
  let frameSeen = false;
  let scanSeen = false;
  while (offset < bytes.length) {
    const markerAt = scanSeen ? nextJpegMarker(bytes, offset) : offset;
    if (markerAt < 0) return 'it has no end-of-image marker';
    if (bytes[markerAt] !== 0xff) return 'its markers cannot be followed';
    const marker = bytes[markerAt + 1];
    if (marker === undefined) return 'it is truncated';
    if (marker === 0xff) {
      offset = markerAt + 1; // fill byte before a marker
      continue;
    }
    if (marker === 0xd9) {
      if (!scanSeen) return 'it ends before its image data';
      return markerAt + 2 === bytes.length ? undefined : 'data follows its end-of-image marker';
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) return `it has a stray marker 0x${hex(marker)}`;
    if (markerAt + 4 > bytes.length) return 'it is truncated';
    const length = (bytes[markerAt + 2]! << 8) | bytes[markerAt + 3]!;
    const end = markerAt + 2 + length;
    if (length < 2 || end > bytes.length) return 'a segment runs past the end of the file';
    const refusal = segmentRefusal(bytes, marker, markerAt + 4, end, frameSeen);
    if (refusal) return refusal;
    if (isFrame(marker)) frameSeen = true;
    if (marker === 0xda) {
      if (!frameSeen) return 'it has a scan before its frame header';
      scanSeen = true;
    }
    offset = end;
  }
  return 'it has no end-of-image marker';
}

/** Why one segment (`data` to `end`, after marker and length) rules the file out, if it does. */
function segmentRefusal(bytes: Uint8Array, marker: number, data: number, end: number, frameSeen: boolean): string | undefined {
  if (marker === 0xe0) return isBareJfif(bytes, data, end) ? undefined : 'it carries an APP0 segment other than a plain JFIF header';
  if (marker >= 0xe1 && marker <= 0xef) return `it carries ${applicationSegmentName(bytes, marker, data, end)}`;
  if (marker === 0xfe) return 'it carries a comment (COM)';
  if (isFrame(marker)) {
    if (frameSeen) return 'it has more than one frame header';
    return frameRefusal(bytes, marker, data, end);
  }
  // Quantisation and Huffman tables, restart interval, start of scan.
  if (marker === 0xdb || marker === 0xc4 || marker === 0xdd || marker === 0xda) return undefined;
  return `it has a 0x${hex(marker)} segment (arithmetic coding, hierarchical or reserved)`;
}

function isFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function frameRefusal(bytes: Uint8Array, marker: number, data: number, end: number): string | undefined {
  if (marker !== 0xc0 && marker !== 0xc1 && marker !== 0xc2) return `its frame type 0x${hex(marker)} is not baseline or progressive`;
  if (end - data < 6) return 'its frame header is truncated';
  if (bytes[data] !== 8) return `its samples are ${bytes[data]}-bit, not 8-bit`;
  const components = bytes[data + 5]!;
  if (end - data < 6 + 3 * components) return 'its frame header is truncated';
  if (components === 1) return undefined;
  if (components !== 3) return `it has ${components} colour components (CMYK or YCCK)`;
  // Without JFIF or Adobe markers, libjpeg takes components named R, G, B as RGB rather than YCbCr.
  const ids = [bytes[data + 6], bytes[data + 9], bytes[data + 12]];
  if (ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42) return 'its components are RGB, not YCbCr';
  return undefined;
}

/** `JFIF\0`, version, units, densities and a 0×0 thumbnail: nothing but how to read the pixels. */
function isBareJfif(bytes: Uint8Array, data: number, end: number): boolean {
  if (end - data !== 14) return false;
  const identifier = String.fromCharCode(...bytes.subarray(data, data + 5));
  return identifier === 'JFIF\0' && bytes[data + 12] === 0 && bytes[data + 13] === 0;
}

function applicationSegmentName(bytes: Uint8Array, marker: number, data: number, end: number): string {
  const identifier = String.fromCharCode(...bytes.subarray(data, Math.min(end, data + 4)));
  const number = marker - 0xe0;
  if (marker === 0xe1 && identifier === 'Exif') return 'an EXIF segment (APP1)';
  if (marker === 0xe2 && identifier === 'ICC_') return 'an ICC profile (APP2)';
  return `an application segment (APP${number})`;
}

function hex(value: number): string {
  return value.toString(16).padStart(2, '0').toUpperCase();
}
