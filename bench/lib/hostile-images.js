import zlib from 'node:zlib';

/**
 * Hostile images made at run time, for the tests and bench/hostile (no
 * multi-MB fixtures in the repository).
 */

/**
 * A valid greyscale progressive JPEG whose decode costs `scans` passes over
 * every block: one DC scan, then for each of the 63 AC bands a first scan at
 * a deep successive-approximation bit and a refinement scan per bit down to
 * zero (63 × 14 + 1 = 883 scans at most). Every coefficient is zero, so each
 * AC scan is a few end-of-band runs and the file stays small (about 80 KB
 * at 6320×6320, nearly all of it the DC scan); libjpeg still walks each
 * block of each scan.
 *
 * @param {number} width
 * @param {number} height
 * @param {number} scans 1 to 883
 * @returns {Buffer}
 */
export function manyScanJpeg(width, height, scans) {
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const parts = [Buffer.from([0xff, 0xd8])];
  // JFIF APP0 without a thumbnail.
  parts.push(segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
  // One quantisation table of ones.
  parts.push(segment(0xdb, [0x00, ...new Array(64).fill(1)]));
  // SOF2: progressive, 8-bit, one component with 1×1 sampling and table 0.
  parts.push(segment(0xc2, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]));
  // DC table 0: category 0 only (code "0"). AC table 0: EOB runs of 2^14 (code "0") and 2^r for the rest.
  parts.push(segment(0xc4, [0x00, 1, ...new Array(15).fill(0), 0x00]));
  const acSymbols = [0xe0, 0xd0, 0xc0, 0xb0, 0xa0, 0x90, 0x80, 0x70, 0x60, 0x50, 0x40, 0x30, 0x20, 0x10, 0x00];
  // Lengths 1, 2, ..., 14, 15, 15: a complete prefix code that never uses the all-ones code.
  const acCounts = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 2, 0];
  parts.push(segment(0xc4, [0x10, ...acCounts, ...acSymbols]));
  const acCodes = huffmanCodes(acCounts, acSymbols);

  const depth = 13;
  parts.push(scanHeader(0, 0, 0, depth));
  parts.push(dcScan(blocks));
  let written = 1;
  for (let band = 1; band <= 63 && written < scans; band += 1) {
    for (let bit = depth; bit >= 0 && written < scans; bit -= 1) {
      // First scan of the band at `depth`, then refinements: Ah = the previous Al.
      const ah = bit === depth ? 0 : bit + 1;
      parts.push(scanHeader(band, band, ah, bit));
      parts.push(endOfBandScan(blocks, acCodes));
      written += 1;
    }
  }
  parts.push(Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}

function segment(marker, data) {
  const length = data.length + 2;
  return Buffer.from([0xff, marker, length >> 8, length & 0xff, ...data]);
}

function scanHeader(start, end, high, low) {
  return segment(0xda, [1, 1, 0x00, start, end, (high << 4) | low]);
}

function huffmanCodes(counts, symbols) {
  const codes = new Map();
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length += 1) {
    for (let count = 0; count < counts[length - 1]; count += 1) codes.set(symbols[index++], { code, length });
    code <<= 1;
  }
  return codes;
}

/** Every block's DC difference is category 0: one "0" bit each. */
function dcScan(blocks) {
  const writer = new BitWriter();
  for (let block = 0; block < blocks; block += 1) writer.write(0, 1);
  return writer.finish();
}

/** Covers every block with end-of-band runs (at most 32767 blocks per run). */
function endOfBandScan(blocks, codes) {
  const writer = new BitWriter();
  let left = blocks;
  while (left > 0) {
    const r = Math.min(14, Math.floor(Math.log2(left)));
    const run = Math.min(left, 2 ** (r + 1) - 1);
    const { code, length } = codes.get(r << 4);
    writer.write(code, length);
    if (r > 0) writer.write(run - 2 ** r, r);
    left -= run;
  }
  return writer.finish();
}

class BitWriter {
  bytes = [];
  current = 0;
  filled = 0;

  write(value, length) {
    for (let bit = length - 1; bit >= 0; bit -= 1) {
      this.current = (this.current << 1) | ((value >> bit) & 1);
      this.filled += 1;
      if (this.filled === 8) this.#flushByte();
    }
  }

  #flushByte() {
    this.bytes.push(this.current);
    // A 0xFF in entropy-coded data is followed by a stuffed zero.
    if (this.current === 0xff) this.bytes.push(0);
    this.current = 0;
    this.filled = 0;
  }

  finish() {
    // Pad the last byte with ones, as the standard asks.
    while (this.filled !== 0) this.write(1, 1);
    return Buffer.from(this.bytes);
  }
}

/**
 * A valid 1-bit greyscale PNG of `width`×`height`, all black: a few tens of
 * KB that a decoder expands to `width`×`height` bytes (16000×16000: 33 KB
 * on the wire, 256 MP to decode).
 *
 * @param {number} width
 * @param {number} height
 * @returns {Buffer}
 */
export function hugeBlankPng(width, height) {
  const rowBytes = 1 + Math.ceil(width / 8);
  const raw = Buffer.alloc(rowBytes * height);
  const compressed = zlib.deflateSync(raw, { level: 9 });
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', compressed),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData) >>> 0, 0);
  return Buffer.concat([length, typeAndData, crc]);
}
