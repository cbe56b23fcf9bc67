/** A piece of assistant content: plain text, or a markdown image taken out of it. */
export type ContentSegment = { type: 'text'; text: string } | { type: 'image'; url: string; alt: string };

type State = 'text' | 'bang' | 'alt' | 'open' | 'url';

/** Longest alt text we wait for before deciding "![" was just text. */
const maxAltLength = 1_000;
const imageSchemes = ['data:image/', 'https://', 'http://'];

/**
 * Takes markdown images (`![alt](data:image/...)`, `![alt](https://...)`)
 * out of streamed assistant text, even when one image is split across many
 * deltas. Text that might start an image is held back until it is known
 * not to be one. Each delta is scanned once, so a multi-megabyte base64 URL
 * arriving in thousands of pieces costs linear time.
 *
 * @example
 * const scanner = new MarkdownImageScanner();
 * scanner.push('Here ![cat](data:image/png;base64,iVB'); // [{ type: 'text', text: 'Here ' }]
 * scanner.push('OR)');  // [{ type: 'image', url: 'data:image/png;base64,iVBOR', alt: 'cat' }]
 * scanner.flush();      // []
 */
export class MarkdownImageScanner {
  #state: State = 'text';
  /** Text held back since the `!` that may start an image, up to the URL. */
  #held = '';
  #alt = '';
  #urlParts: string[] = [];
  /** The URL's first characters, enough to check its scheme. */
  #urlHead = '';

  push(chunk: string): ContentSegment[] {
    const segments: ContentSegment[] = [];
    this.#scan(chunk, segments);
    return segments;
  }

  /** Ends the text: whatever is still held back was not an image. */
  flush(): ContentSegment[] {
    const segments: ContentSegment[] = [];
    while (this.#state !== 'text') this.#release(segments);
    return segments;
  }

  #scan(chunk: string, segments: ContentSegment[]): void {
    let position = 0;
    let textStart = 0;
    while (position < chunk.length) {
      switch (this.#state) {
        case 'text': {
          const bang = chunk.indexOf('!', position);
          if (bang === -1) {
            position = chunk.length;
            break;
          }
          emitText(segments, chunk.slice(textStart, bang));
          this.#held = '!';
          this.#state = 'bang';
          position = bang + 1;
          break;
        }
        case 'bang':
        case 'open': {
          const expected = this.#state === 'bang' ? '[' : '(';
          if (chunk[position] === expected) {
            this.#held += expected;
            this.#state = this.#state === 'bang' ? 'alt' : 'url';
            position += 1;
          } else {
            this.#release(segments);
          }
          textStart = position;
          break;
        }
        case 'alt': {
          const close = chunk.indexOf(']', position);
          const end = close === -1 ? chunk.length : close;
          const piece = chunk.slice(position, end);
          this.#held += piece;
          this.#alt += piece;
          position = end;
          if (piece.includes('\n') || this.#alt.length > maxAltLength) this.#release(segments);
          else if (close !== -1) {
            this.#held += ']';
            this.#state = 'open';
            position += 1;
          }
          textStart = position;
          break;
        }
        case 'url': {
          const close = chunk.indexOf(')', position);
          const end = close === -1 ? chunk.length : close;
          const piece = chunk.slice(position, end);
          this.#urlParts.push(piece);
          if (this.#urlHead.length < 11) this.#urlHead = (this.#urlHead + piece).trimStart().slice(0, 11).toLowerCase();
          position = end;
          if (!this.#mayBeImageUrl(piece)) this.#release(segments);
          else if (close !== -1) {
            const url = this.#urlParts.join('').trim().split(/\s/)[0] ?? '';
            segments.push({ type: 'image', url, alt: this.#alt });
            this.#reset();
            position += 1;
          }
          textStart = position;
          break;
        }
      }
    }
    if (this.#state === 'text') emitText(segments, chunk.slice(textStart));
  }

  /** A known scheme, and no whitespace inside a data URL (http URLs may carry a "title"). */
  #mayBeImageUrl(piece: string): boolean {
    const head = this.#urlHead;
    if (!imageSchemes.some((scheme) => scheme.startsWith(head) || head.startsWith(scheme))) return false;
    return !(head.startsWith('data:') && /\s\S/.test(piece));
  }

  /**
   * The held text was not an image: its `!` is text, and the rest is scanned
   * again, since it may hold the real start of an image ("![a\n![b](...)").
   */
  #release(segments: ContentSegment[]): void {
    const rest = this.#held.slice(1) + this.#urlParts.join('');
    this.#reset();
    emitText(segments, '!');
    this.#scan(rest, segments);
  }

  #reset(): void {
    this.#state = 'text';
    this.#held = '';
    this.#alt = '';
    this.#urlParts = [];
    this.#urlHead = '';
  }
}

/** Appends text, merging with a text segment just before it. */
function emitText(segments: ContentSegment[], text: string): void {
  if (text === '') return;
  const last = segments.at(-1);
  if (last?.type === 'text') last.text += text;
  else segments.push({ type: 'text', text });
}
