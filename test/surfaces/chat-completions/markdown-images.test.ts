import { describe, expect, it } from 'vitest';
import { findMarkdownImages, withoutMarkdownImages } from '../../../src/surfaces/chat-completions/markdown-images.js';

/** The regular expression the scanner replaced; it defines the images to find (for ASCII whitespace). */
const formerPattern = /!\[[^\][]{0,1000}\]\((?:data:[^)\s]+|https?:\/\/[^)\s]+)\)/g;

/** A deterministic generator, so a failure names a seed that reproduces it. */
function randomTexts(seed: number, count: number): string[] {
  const pieces = [
    '![',
    ']',
    '[',
    '(',
    ')',
    '](',
    ' ',
    '\n',
    '\t',
    'a',
    'x',
    'data:',
    'data:image/png;base64,iVBO',
    'https://',
    'http://',
    'ftp://',
    '!',
  ];
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return Array.from({ length: count }, () => {
    const length = Math.floor(random() * 24);
    return Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join('');
  });
}

describe('findMarkdownImages', () => {
  it('finds data and https images with their positions and URLs', () => {
    const text = 'Here ![cat](data:image/png;base64,iVBO) and ![dog](https://cdn.example/dog.png).';
    expect(findMarkdownImages(text)).toEqual([
      { start: 5, end: 39, url: 'data:image/png;base64,iVBO' },
      { start: 44, end: 79, url: 'https://cdn.example/dog.png' },
    ]);
    expect(withoutMarkdownImages(text)).toBe('Here  and .');
  });

  it('leaves links, other schemes, spaced URLs, bracketed and overlong alt texts alone', () => {
    const long = 'a'.repeat(1_001);
    for (const text of [
      '[link](https://example.com)',
      '![x](javascript:alert)',
      '![x](https://example.com/a.png "title")',
      '![a[b]](https://example.com/a.png)',
      `![${long}](https://example.com/a.png)`,
      '![cut](data:image/png;base64,AAAA',
    ]) {
      expect(findMarkdownImages(text)).toEqual([]);
    }
    expect(findMarkdownImages(`![${'a'.repeat(1_000)}](https://example.com/a.png)`)).toHaveLength(1);
  });

  it('finds exactly what the former regular expression matched, on 5 000 generated texts', () => {
    for (const text of randomTexts(20_261_122, 5_000)) {
      const expected = text.replace(formerPattern, '');
      expect({ text, kept: withoutMarkdownImages(text) }).toEqual({ text, kept: expected });
    }
  });

  it('stays linear on hostile text: 600 000 images closed far away, and a 15 MB image', { timeout: 10_000 }, () => {
    // Each "![" would search to the far ")" or "]" again without the forward-only search.
    expect(findMarkdownImages(`${'![a](data:x '.repeat(600_000)})`)).toEqual([]);
    expect(findMarkdownImages(`${'!['.repeat(600_000)}](https://x)`)).toHaveLength(1);
    const base64 = 'A'.repeat(15_000_000);
    const [image] = findMarkdownImages(`Here ![generated](data:image/png;base64,${base64}) enjoy`);
    expect(image?.url.length).toBe(base64.length + 22);
  });
});
