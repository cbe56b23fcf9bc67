import { describe, expect, it } from 'vitest';
import { decodeDataUrl } from '../../../src/images/ingest/image-data-url.js';

describe('decodeDataUrl', () => {
  it('decodes standard, URL-safe and wrapped base64 to the same bytes', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 0x01, 0x02, 0x03, 0xfc, 0x10]);
    const urls = [
      `data:image/png;base64,${bytes.toString('base64')}`,
      `data:image/png;base64,${bytes.toString('base64url')}`,
      `data:image/png;base64,${bytes.toString('base64').replace(/(.{4})/g, '$1\n')}`,
    ];
    for (const url of urls) {
      const result = decodeDataUrl(url, 1000);
      expect(result.ok && result.value.bytes.equals(bytes)).toBe(true);
    }
  });

  it('keeps the declared type only as a hint', () => {
    const result = decodeDataUrl('data:IMAGE/PNG;charset=x;base64,AAAA', 1000);
    expect(result).toMatchObject({ ok: true, value: { declaredType: 'image/png' } });
  });

  it('measures the decoded size before allocating it', () => {
    const result = decodeDataUrl(`data:image/png;base64,${'A'.repeat(4000)}`, 2999);
    expect(result).toEqual({ ok: false, reason: 'is too large', tooLarge: 3000 });
  });

  it('refuses a payload cut to an impossible length', () => {
    expect(decodeDataUrl('data:image/png;base64,AAAAA', 1000)).toMatchObject({ ok: false, reason: expect.stringContaining('cut off') });
  });

  it('refuses what is not a data URL', () => {
    expect(decodeDataUrl('https://example.com/a.png', 1000)).toMatchObject({ ok: false });
  });
});
