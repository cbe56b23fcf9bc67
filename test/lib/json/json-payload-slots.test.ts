import { describe, expect, it } from 'vitest';
import { ImageData } from '../../../src/images/image-data.js';
import { dataUrlPieces } from '../../../src/images/image-json-pieces.js';
import { joinPieces, type Piece } from '../../../src/lib/body-pieces.js';
import { PayloadSlots } from '../../../src/lib/json/json-payload-slots.js';

const joined = (pieces: readonly Piece[]) =>
  pieces.map((piece) => (typeof piece === 'string' ? piece : Buffer.from(piece).toString('latin1'))).join('');
const base64 = Buffer.from(Array.from({ length: 3000 }, (_, index) => (index * 31) % 256)).toString('base64');

describe('PayloadSlots and dataUrlPieces', () => {
  it('writes the same JSON text as JSON.stringify with the data URL inline, keeping received bytes as they are', () => {
    const received = [Buffer.from(base64.slice(0, 1000)), Buffer.from(base64.slice(1000))];
    const image = ImageData.fromBase64Pieces(received, 'image/png');
    const slots = new PayloadSlots();
    const value = { text: 'a "quoted" \u0000 text', url: slots.slot(dataUrlPieces(image)), list: [slots.slot(dataUrlPieces(image))] };
    const pieces = slots.stringify(value);
    const dataUrl = `data:image/png;base64,${base64}`;
    expect(joined(pieces)).toBe(JSON.stringify({ text: 'a "quoted" \u0000 text', url: dataUrl, list: [dataUrl] }));
    expect(pieces.filter((piece) => piece === received[0])).toHaveLength(2);
  });

  it('leaves text that imitates a placeholder as text', () => {
    const slots = new PayloadSlots();
    const value = { a: '\u0000payload:00000000-0000-0000-0000-000000000000:0;', b: '\\u0000payload:x:0;', c: slots.slot(['x']) };
    expect(JSON.parse(joined(slots.stringify(value)))).toEqual({ ...value, c: 'x' });
  });

  it('escapes base64 text that is not clean (line breaks, quotes, non-ASCII) into ASCII JSON', () => {
    const dirty = `${base64.slice(0, 76)}\n${base64.slice(76, 100)}"é😀\ud800`;
    const pieces = dataUrlPieces(ImageData.fromBase64(dirty, 'image/png'));
    const text = joined(pieces);
    expect(text).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(`"${text}"`)).toBe(`data:image/png;base64,${dirty}`);
  });
});

describe('joinPieces', () => {
  it('gives the bytes JSON.stringify would, with payload bytes and non-ASCII text in place', () => {
    const base64 = Buffer.from('iVBORw0KGgo=', 'ascii');
    const slots = new PayloadSlots();
    const value = { text: 'héllo “quoted” 画', parts: [{ image_url: { url: slots.slot(['data:image/png;base64,', base64]) } }] };
    const joined = joinPieces(slots.stringify(value));
    expect(joined).toBeInstanceOf(Uint8Array);
    const expected = JSON.stringify({ text: 'héllo “quoted” 画', parts: [{ image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] });
    expect(Buffer.from(joined as Uint8Array).toString('utf8')).toBe(expected);
  });

  it('gives a body with no payload as the UTF-8 bytes of its text', () => {
    const joined = joinPieces(new PayloadSlots().stringify({ a: 'é' }));
    expect(joined.byteLength).toBe(10);
    expect(joined.toString('utf8')).toBe('{"a":"é"}');
  });
});
