import { describe, expect, it } from 'vitest';
import { LiftedString } from '../../../src/lib/json/json-lifted-string.js';
import { type ContentSegment, MarkdownImageScanner } from '../../../src/providers/openai-chat/openai-chat-markdown-images.js';

/** Feeds the text in pieces of `size` characters and merges adjacent text segments. */
function scan(text: string, size = text.length): ContentSegment[] {
  const scanner = new MarkdownImageScanner();
  const segments: ContentSegment[] = [];
  for (let start = 0; start < text.length; start += size) segments.push(...scanner.push(text.slice(start, start + size)));
  segments.push(...scanner.flush());
  return segments.reduce<ContentSegment[]>((merged, segment) => {
    const last = merged.at(-1);
    if (segment.type === 'text' && last?.type === 'text') last.text += segment.text;
    else merged.push({ ...segment });
    return merged;
  }, []);
}

const dataUrl = `data:image/png;base64,${'iVBORw0KGgo'.repeat(50)}`;

describe('MarkdownImageScanner', () => {
  it.each([1, 2, 3, 7, 64, 10_000])('takes a data URL image out of text split into pieces of %i characters', (size) => {
    expect(scan(`Here is your cat!\n\n![generated](${dataUrl}) Enjoy!`, size)).toEqual([
      { type: 'text', text: 'Here is your cat!\n\n' },
      { type: 'image', url: dataUrl, alt: 'generated' },
      { type: 'text', text: ' Enjoy!' },
    ]);
  });

  it.each([1, 5, 1000])('keeps text that only looks like an image start (pieces of %i)', (size) => {
    const text = 'Wow! [link](https://example.com/page) and ![not an image](javascript:alert) and !!! done!';
    expect(scan(text, size)).toEqual([{ type: 'text', text }]);
  });

  it('finds an image after a false start on an earlier line', (): void => {
    expect(scan('![broken\n![cat](https://cdn.example/cat.png)', 3)).toEqual([
      { type: 'text', text: '![broken\n' },
      { type: 'image', url: 'https://cdn.example/cat.png', alt: 'cat' },
    ]);
  });

  it('reads https images with a title and several images in one message', () => {
    expect(scan('![a](https://x.example/a.png "A") ![b](data:image/jpeg;base64,/9j/AA==)', 4)).toEqual([
      { type: 'image', url: 'https://x.example/a.png', alt: 'a' },
      { type: 'text', text: ' ' },
      { type: 'image', url: 'data:image/jpeg;base64,/9j/AA==', alt: 'b' },
    ]);
  });

  it('gives back an unfinished image as text at the end', () => {
    expect(scan('see ![cat](data:image/png;base64,AAAA', 2)).toEqual([{ type: 'text', text: 'see ![cat](data:image/png;base64,AAAA' }]);
  });

  it('scans a large image split into many pieces in linear time, and keeps it as the bytes of its pieces', () => {
    const big = `data:image/png;base64,${'A'.repeat(4_000_000)}`;
    const started = performance.now();
    const segments = scan(`Here ![x](${big}) done`, 1_000);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(segments).toHaveLength(3);
    const [, image] = segments;
    expect(image?.type === 'image' && image.url).toBeInstanceOf(LiftedString);
    const url = (image?.type === 'image' ? image.url : '') as LiftedString;
    expect(url.pieces.length).toBeGreaterThan(1_000);
    expect(url.toString() === big, 'the URL should be the one sent, byte for byte').toBe(true);
    expect(segments[2]).toEqual({ type: 'text', text: ' done' });
  });

  it('reads a long data URL with whitespace in it as markdown does: cut at the whitespace', () => {
    const big = `data:image/png;base64,${'A'.repeat(100_000)}`;
    expect(scan(`![x](  ${big} "title")`, 1_000)).toEqual([{ type: 'text', text: `![x](  ${big} "title")` }]);
    expect(scan(`![x](${big}\n)`, 999)).toEqual([{ type: 'image', url: big, alt: 'x' }]);
  });
});
