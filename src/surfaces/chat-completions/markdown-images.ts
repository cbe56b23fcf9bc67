/** A markdown image found in a text: `text.slice(start, end)` is the whole `![alt](url)`. */
export interface MarkdownImage {
  start: number;
  end: number;
  url: string;
}

/** Longest alt text taken as part of an image, so "![" alone never makes a scan wait for a far "]". */
const maxAltLength = 1_000;
const urlSchemes = ['data:', 'https://', 'http://'];
const whitespace = [' ', '\n', '\r', '\t', '\f', '\v'];

/**
 * Finds `![alt](url)` images whose URL is a `data:`, `https:` or `http:`
 * URL without whitespace, and whose alt text holds no bracket and at most
 * 1000 characters. Chat clients send the gateway's own answers back with
 * images of 15 MB in the text, so the scan only ever moves forward with
 * `indexOf` (a memchr over the base64) instead of running a regular
 * expression character by character over it: linear time, also on hostile
 * input such as 150 000 times "![".
 *
 * @example
 * findMarkdownImages('Here ![cat](data:image/png;base64,iVBO) it is');
 * // [{ start: 5, end: 39, url: 'data:image/png;base64,iVBO' }]
 */
export function findMarkdownImages(text: string): MarkdownImage[] {
  const found: MarkdownImage[] = [];
  const next = forwardSearch(text);
  let from = 0;
  while (true) {
    const start = text.indexOf('![', from);
    if (start < 0) return found;
    const altStart = start + 2;
    const altEnd = next(']', altStart);
    // No "]" further on: no later "![" can complete an image either. Same for ")" below.
    if (altEnd < 0) return found;
    const bracket = next('[', altStart);
    const plainAlt = altEnd - altStart <= maxAltLength && (bracket < 0 || bracket > altEnd);
    if (!plainAlt || text.charCodeAt(altEnd + 1) !== 0x28) {
      from = start + 1;
      continue;
    }
    const urlStart = altEnd + 2;
    const urlEnd = next(')', urlStart);
    if (urlEnd < 0) return found;
    const spaced = whitespace.some((character) => {
      const at = next(character, urlStart);
      return at >= 0 && at < urlEnd;
    });
    if (spaced || !hasUrlScheme(text, urlStart, urlEnd)) {
      from = start + 1;
      continue;
    }
    found.push({ start, end: urlEnd + 1, url: text.slice(urlStart, urlEnd) });
    from = urlEnd + 1;
  }
}

/** The text with every markdown image taken out (they travel as images). */
export function withoutMarkdownImages(text: string, images: readonly MarkdownImage[] = findMarkdownImages(text)): string {
  if (images.length === 0) return text;
  let kept = '';
  let position = 0;
  for (const image of images) {
    kept += text.slice(position, image.start);
    position = image.end;
  }
  return kept + text.slice(position);
}

/** A scheme the gateway reads, followed by at least one character. */
function hasUrlScheme(text: string, urlStart: number, urlEnd: number): boolean {
  return urlSchemes.some((scheme) => urlEnd - urlStart > scheme.length && text.startsWith(scheme, urlStart));
}

/**
 * `indexOf` that remembers, per character, where it last found it: the
 * scan asks for positions that never move backwards, so each character's
 * occurrences are searched once over the whole text.
 */
function forwardSearch(text: string): (character: string, position: number) => number {
  const last = new Map<string, number>();
  return (character, position) => {
    const known = last.get(character);
    if (known !== undefined && (known < 0 || known >= position)) return known;
    const at = text.indexOf(character, position);
    last.set(character, at);
    return at;
  };
}
