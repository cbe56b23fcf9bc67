import { describe, expect, it } from 'vitest';
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

  it('scans a large image split into many pieces in linear time', () => {
    const big = `data:image/png;base64,${'A'.repeat(4_000_000)}`;
    const started = performance.now();
    const segments = scan(`![x](${big})`, 1_000);
    expect(segments).toEqual([{ type: 'image', url: big, alt: 'x' }]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
