import { LiftedString } from '../../lib/json/json-lifted-string.js';
import { TextWithLifts } from '../../lib/json/json-text-with-lifts.js';

/** A piece of assistant content: plain text, or a markdown image taken out of it (a big data URL as the bytes it arrived in). */
export type ContentSegment = { type: 'text'; text: string } | { type: 'image'; url: string | LiftedString; alt: string };

type State = 'text' | 'bang' | 'alt' | 'open' | 'url';

/** Longest alt text we wait for before deciding "![" was just text. */
const maxAltLength = 1_000;
const imageSchemes = ['data:image/', 'https://', 'http://'];
/** From this length on, a data URL is kept as bytes, piece by piece as it arrives, and handed on as a LiftedString. */
const bytesFromLength = 64 * 1024;
/** A URL piece without whitespace or anything but printable ASCII: its characters are its latin1 bytes. */
const plainUrlText = /^[\x21-\x7e]*$/;

/** A piece of a URL being read: text, or bytes (a long data URL's pieces, or a payload lifted out of the JSON). */
type UrlPart = string | Buffer | LiftedString;

/**
 * Takes markdown images (`![alt](data:image/...)`, `![alt](https://...)`)
 * out of streamed assistant text, even when one image is split across many
 * deltas. Text that might start an image is held back until it is known
 * not to be one. Each delta is scanned once, so a multi-megabyte base64 URL
 * arriving in thousands of pieces costs linear time, and once a data URL
 * is long it is kept as bytes piece by piece, so its end costs no join,
 * copy or scan of the whole.
 *
 * @example
 * const scanner = new MarkdownImageScanner();
 * scanner.push('Here ![cat](data:image/png;base64,iVB'); // [{ type: 'text', text: 'Here ' }]
 * scanner.push('OR)');  // [{ type: 'image', url: 'data:image/png;base64,iVBOR', alt: 'cat' }]
 * scanner.flush();      // []
 */
export class MarkdownImageScanner {
  #state: State = 'text';
  /** The payloads lifted out of the text pushed so far (tokens in the text stand for them), until given back. */
  #lifts: TextWithLifts | undefined;
  /** Text held back since the `!` that may start an image, up to the URL. */
  #held = '';
  #alt = '';
  #urlParts: UrlPart[] = [];
  #urlLength = 0;
  /** A piece held whitespace or other than printable ASCII: the URL is read as text, trimmed and cut at whitespace. */
  #urlAsText = false;
  /** The URL's first characters, enough to check its scheme. */
  #urlHead = '';

  /**
   * Scans the next piece of text. A `TextWithLifts` is scanned as its short
   * text, so a 15 MB data URL costs a few bytes here; its payloads are put
   * back where their tokens were: bytes in an image URL, text elsewhere.
   * One reading differs from the whole string's: a payload inside alt text
   * counts as a few characters, not as an alt text over `maxAltLength`.
   */
  push(chunk: string | TextWithLifts): ContentSegment[] {
    const segments: ContentSegment[] = [];
    if (typeof chunk === 'string') this.#scan(chunk, segments);
    else {
      this.#lifts ??= new TextWithLifts('');
      this.#lifts.adopt(chunk);
      this.#scan(chunk.text, segments);
    }
    return this.#restored(segments);
  }

  /** Ends the text: whatever is still held back was not an image. */
  flush(): ContentSegment[] {
    const segments: ContentSegment[] = [];
    while (this.#state !== 'text') this.#release(segments);
    return this.#restored(segments);
  }

  #restored(segments: ContentSegment[]): ContentSegment[] {
    const lifts = this.#lifts;
    if (!lifts) return segments;
    // URL pieces got theirs back as they were read.
    for (const segment of segments) {
      if (segment.type === 'text' && TextWithLifts.mayHoldToken(segment.text)) segment.text = lifts.restoreText(segment.text);
    }
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
          if (this.#urlHead.length < 11) this.#urlHead = (this.#urlHead + piece).trimStart().slice(0, 11).toLowerCase();
          const plain = this.#addUrlPart(piece);
          position = end;
          if (!this.#mayBeImageUrl(piece, plain)) this.#release(segments);
          else if (close !== -1) {
            segments.push({ type: 'image', url: this.#takeUrl(), alt: this.#alt });
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

  /** Adds a piece of the URL; true when it holds no whitespace (then one test of it was enough). */
  #addUrlPart(piece: string): boolean {
    const part = this.#lifts && TextWithLifts.mayHoldToken(piece) ? this.#lifts.restoreUrl(piece) : piece;
    this.#urlLength += part.length;
    if (typeof part !== 'string') {
      // A lifted payload is base64; around it, the token's piece is what markdown saw.
      this.#urlParts.push(part);
      return false;
    }
    if (!plainUrlText.test(part)) {
      this.#urlAsText = true;
      this.#urlParts.push(part);
      return false;
    }
    this.#urlParts.push(this.#urlLength >= bytesFromLength && this.#urlHead.startsWith('data:') ? Buffer.from(part, 'latin1') : part);
    return true;
  }

  /**
   * The URL read: a long data URL without whitespace as the bytes of its
   * pieces; anything else as markdown reads it, trimmed and cut at the
   * first whitespace (where a title may follow).
   */
  #takeUrl(): string | LiftedString {
    if (!this.#urlAsText && this.#urlLength >= bytesFromLength && this.#urlHead.startsWith('data:')) {
      const pieces: Buffer[] = [];
      for (const part of this.#urlParts) {
        if (typeof part === 'string') pieces.push(Buffer.from(part, 'latin1'));
        else if (part instanceof LiftedString) pieces.push(...part.pieces);
        else pieces.push(part);
      }
      return new LiftedString(pieces);
    }
    return this.#urlText().trim().split(/\s/)[0] ?? '';
  }

  #urlText(): string {
    return this.#urlParts.map((part) => (typeof part === 'string' ? part : part.toString('latin1'))).join('');
  }

  /** A known scheme, and no whitespace inside a data URL (http URLs may carry a "title"). */
  #mayBeImageUrl(piece: string, withoutWhitespace: boolean): boolean {
    const head = this.#urlHead;
    if (!imageSchemes.some((scheme) => scheme.startsWith(head) || head.startsWith(scheme))) return false;
    return withoutWhitespace || !(head.startsWith('data:') && /\s\S/.test(piece));
  }

  /**
   * The held text was not an image: its `!` is text, and the rest is scanned
   * again, since it may hold the real start of an image ("![a\n![b](...)").
   */
  #release(segments: ContentSegment[]): void {
    const rest = this.#held.slice(1) + this.#urlText();
    this.#reset();
    emitText(segments, '!');
    this.#scan(rest, segments);
  }

  #reset(): void {
    this.#state = 'text';
    this.#held = '';
    this.#alt = '';
    this.#urlParts = [];
    this.#urlLength = 0;
    this.#urlAsText = false;
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
