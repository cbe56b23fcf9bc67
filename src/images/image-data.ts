import { decodeBase64Pieces, encodeBase64Bytes } from '../lib/base64-pieces.js';
import type { Piece } from '../lib/body-pieces.js';

/**
 * Image bytes that travel through the gateway. Upstreams hand us base64 and
 * clients want base64 back, so the base64 form is kept as received and bytes
 * are decoded only when something (sharp, a multipart upload) needs them.
 * A big upstream image may be held as the ASCII bytes of its base64, in the
 * pieces it arrived in (`fromBase64Pieces`), and is then written out as
 * those same bytes (`base64Parts`) without ever becoming a string.
 *
 * @example
 * const image = ImageData.fromBase64(b64, 'image/png');
 * image.dataUrl(); // "data:image/png;base64,..."
 */
export class ImageData {
  #bytes: Buffer | undefined;
  #base64: string | undefined;
  #base64Pieces: readonly Buffer[] | undefined;
  #sentAt: string | undefined;

  private constructor(
    readonly mediaType: string,
    bytes: Buffer | undefined,
    base64: string | undefined,
    base64Pieces?: readonly Buffer[],
  ) {
    this.#bytes = bytes;
    this.#base64 = base64;
    this.#base64Pieces = base64Pieces;
  }

  static fromBytes(bytes: Uint8Array, mediaType: string): ImageData {
    return new ImageData(mediaType, asBuffer(bytes), undefined);
  }

  static fromBase64(base64: string, mediaType: string): ImageData {
    return new ImageData(mediaType, undefined, base64);
  }

  /** Base64 text as ASCII bytes, in pieces that are kept as they are (views, not copies). */
  static fromBase64Pieces(pieces: readonly Uint8Array[], mediaType: string): ImageData {
    return new ImageData(mediaType, undefined, undefined, pieces.map(asBuffer));
  }

  /**
   * Where the client sent this image (`messages[0].content[1].image_url.url`),
   * so that an engine failing to decode it can name it; unset for images
   * a provider generated.
   */
  get sentAt(): string | undefined {
    return this.#sentAt;
  }

  /** Records where the client sent this image (the ingester does); returns the image. */
  markSentAt(param: string): this {
    this.#sentAt = param;
    return this;
  }

  bytes(): Buffer {
    this.#bytes ??= this.#decodedPieces() ?? Buffer.from(this.#base64 ?? this.#joinedPieces(), 'base64');
    return this.#bytes;
  }

  base64(): string {
    this.#base64 ??= this.#base64Pieces ? this.#joinedPieces() : (this.#bytes ?? Buffer.alloc(0)).toString('base64');
    return this.#base64;
  }

  /**
   * The base64 text for writing out: the received ASCII bytes when the image
   * came in pieces, the base64 string when it came as one, and for an image
   * held as bytes (a converted input), its base64 encoded straight to ASCII
   * bytes: no multi-MB string is made. Those are not kept, so an image in
   * flight holds its bytes only, not a third more beside them until the
   * request ends; encoding again for a retry costs about 1 ms a MB.
   */
  base64Parts(): readonly Piece[] {
    if (this.#base64Pieces) return this.#base64Pieces;
    if (this.#base64 !== undefined || !this.#bytes) return [this.base64()];
    return [encodeBase64Bytes(this.#bytes)];
  }

  dataUrl(): string {
    return `data:${this.mediaType};base64,${this.base64()}`;
  }

  /** Decoded size in bytes, computed from base64 length when not decoded yet. */
  get byteLength(): number {
    if (this.#bytes) return this.#bytes.byteLength;
    if (this.#base64Pieces) return decodedLength(this.#base64Pieces);
    const base64 = this.#base64 ?? '';
    const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
    return Math.floor((base64.length * 3) / 4) - padding;
  }

  /** The pieces decoded slice by slice, without joining them into a string first; undefined when they cannot be. */
  #decodedPieces(): Buffer | undefined {
    if (this.#base64 !== undefined || !this.#base64Pieces) return undefined;
    return decodeBase64Pieces(this.#base64Pieces, decodedLength(this.#base64Pieces));
  }

  #joinedPieces(): string {
    return Buffer.concat(this.#base64Pieces ?? []).toString('latin1');
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decoded size of base64 held in pieces: its length, less the `=` padding at the very end. */
function decodedLength(pieces: readonly Buffer[]): number {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  let padding = 0;
  for (let index = pieces.length - 1; index >= 0 && padding < 2; index--) {
    const piece = pieces[index] as Buffer;
    let position = piece.length - 1;
    while (position >= 0 && padding < 2 && piece[position] === 0x3d) {
      padding += 1;
      position -= 1;
    }
    if (position >= 0) break;
  }
  return Math.floor((length * 3) / 4) - padding;
}
