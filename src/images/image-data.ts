/**
 * Image bytes that travel through the gateway. Upstreams hand us base64 and
 * clients want base64 back, so the base64 form is kept as received and bytes
 * are decoded only when something (sharp, a multipart upload) needs them.
 *
 * @example
 * const image = ImageData.fromBase64(b64, 'image/png');
 * image.dataUrl(); // "data:image/png;base64,..."
 */
export class ImageData {
  #bytes: Buffer | undefined;
  #base64: string | undefined;

  private constructor(
    readonly mediaType: string,
    bytes: Buffer | undefined,
    base64: string | undefined,
  ) {
    this.#bytes = bytes;
    this.#base64 = base64;
  }

  static fromBytes(bytes: Uint8Array, mediaType: string): ImageData {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return new ImageData(mediaType, buffer, undefined);
  }

  static fromBase64(base64: string, mediaType: string): ImageData {
    return new ImageData(mediaType, undefined, base64);
  }

  bytes(): Buffer {
    this.#bytes ??= Buffer.from(this.#base64 ?? '', 'base64');
    return this.#bytes;
  }

  base64(): string {
    this.#base64 ??= (this.#bytes ?? Buffer.alloc(0)).toString('base64');
    return this.#base64;
  }

  dataUrl(): string {
    return `data:${this.mediaType};base64,${this.base64()}`;
  }

  /** Decoded size in bytes, computed from base64 length when not decoded yet. */
  get byteLength(): number {
    if (this.#bytes) return this.#bytes.byteLength;
    const base64 = this.#base64 ?? '';
    const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
    return Math.floor((base64.length * 3) / 4) - padding;
  }
}
