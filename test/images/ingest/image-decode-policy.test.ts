import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeAsAccepted } from '../../../src/images/ingest/image-decode-policy.js';
import { jpegClaimingSize, jpegWithStrayBytes, noisyJpeg } from '../image-test-helpers.js';

/** A thumbnail decode, as the ingest check runs it. */
function thumbnail(bytes: Buffer) {
  return decodeAsAccepted('jpeg', (failOn) => sharp(bytes, { failOn }).resize(64, 64, { fit: 'inside' }).raw().toBuffer());
}

describe('decodeAsAccepted', () => {
  it('refuses a JPEG whose frame header claims more rows than its data holds, though sharp at failOn "error" decodes it', async () => {
    const lying = jpegClaimingSize(await noisyJpeg(64, 48), 6000, 6000);
    await expect(sharp(lying, { failOn: 'error' }).resize(64, 64, { fit: 'inside' }).raw().toBuffer()).resolves.toBeDefined();
    await expect(thumbnail(lying)).rejects.toThrow(/premature end of data segment/);
  });

  it('accepts a whole JPEG with stray bytes between its scans', async () => {
    await expect(thumbnail(await jpegWithStrayBytes(160, 120))).resolves.toHaveLength(64 * 48 * 3);
  });

  it('accepts a whole baseline JPEG whose scan header sets progressive fields', async () => {
    const jpeg = await noisyJpeg(160, 120);
    let scan = 2;
    while (jpeg[scan + 1] !== 0xda) scan += 2 + jpeg.readUInt16BE(scan + 2);
    const oddScanHeader = Buffer.from(jpeg);
    oddScanHeader[scan + 1 + jpeg.readUInt16BE(scan + 2)] = 0x01; // Ah/Al, the last byte of the SOS header: 0 in a baseline scan
    await expect(sharp(oddScanHeader).raw().toBuffer()).rejects.toThrow(/Invalid SOS parameters/);
    await expect(thumbnail(oddScanHeader)).resolves.toHaveLength(64 * 48 * 3);
  });
});
