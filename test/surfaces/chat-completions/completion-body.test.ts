import { describe, expect, it } from 'vitest';
import { GenerationAccumulator } from '../../../src/generation/generation-accumulator.js';
import { ImageData } from '../../../src/images/image-data.js';
import type { Piece } from '../../../src/lib/body-pieces.js';
import { completionBody } from '../../../src/surfaces/chat-completions/completion-body.js';

const joined = (pieces: readonly Piece[]) =>
  pieces.map((piece) => (typeof piece === 'string' ? piece : Buffer.from(piece).toString('latin1'))).join('');
const base64 = Buffer.from(Array.from({ length: 3000 }, (_, index) => (index * 31) % 256)).toString('base64');
const bigBase64 = Buffer.from(Array.from({ length: 60_000 }, (_, index) => (index * 31) % 256)).toString('base64');
const identity = { id: 'chatcmpl-1', created: 1, model: 'm' };

describe('completionBody', () => {
  it.each(['markdown', 'images', 'both'] as const)(
    'equals the one-string completion (placement %s) and carries the image bytes uncopied',
    (placement) => {
      // Past 48 KiB an image goes out as the pieces it arrived in.
      const base64 = bigBase64;
      const piece = Buffer.from(base64);
      const result = new GenerationAccumulator();
      result.add({ type: 'text-delta', text: 'Here: ![fake](\u0000payload:1;) ' });
      result.add({ type: 'image', image: ImageData.fromBase64Pieces([piece], 'image/png') });
      result.add({ type: 'finish', reason: 'stop' });
      const pieces = completionBody(result, identity, placement, 3);
      const completion = JSON.parse(joined(pieces));
      const dataUrl = `data:image/png;base64,${base64}`;
      // Byte for byte what JSON.stringify writes for the same completion with the image inline.
      expect(joined(pieces)).toBe(JSON.stringify(completion));
      expect(pieces).toContain(piece);
      if (placement !== 'images')
        expect(completion.choices[0].message.content).toBe(`Here: ![fake](\u0000payload:1;)\n\n![generated](${dataUrl})`);
      if (placement !== 'markdown')
        expect(completion.choices[0].message.images).toEqual([{ type: 'image_url', image_url: { url: dataUrl }, index: 0 }]);
    },
  );
});

describe('completionBody with a small image', () => {
  it('is one string, the same as toJSON', () => {
    const result = new GenerationAccumulator();
    result.add({ type: 'image', image: ImageData.fromBase64Pieces([Buffer.from(base64)], 'image/png') });
    const pieces = completionBody(result, identity, 'both', 3);
    expect(pieces).toHaveLength(1);
    expect(pieces[0]).toBe(JSON.stringify(JSON.parse(pieces[0] as string)));
    expect(JSON.parse(pieces[0] as string).choices[0].message.images[0].image_url.url).toBe(`data:image/png;base64,${base64}`);
  });
});
