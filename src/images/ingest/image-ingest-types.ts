import type { LiftedString } from '../../lib/json/json-lifted-string.js';
import type { ImageData } from '../image-data.js';

/** One image a client referenced, before anything is fetched or decoded. */
export interface ImageReference {
  /** The `data:` or `https:` URL as the client sent it; a big data URL as the bytes it arrived in. */
  url: string | LiftedString;
  /** Where it came from, for error messages: `messages[0].content[1].image_url.url`. */
  param: string;
  messageIndex: number;
  /** Index of the content part (or of the `images[]` entry / markdown image in an assistant turn). */
  partIndex: number;
  /** `user` for images the client sent; `assistant` for images of an earlier generation. */
  origin: 'user' | 'assistant';
}

/** Which images a request carries and which of them are the inputs of this turn's edit. */
export interface ImageInputPlan {
  /** Every image to ingest, in conversation order. */
  references: ImageReference[];
  /** Positions in `references` of the images to edit this turn. */
  inputIndexes: number[];
}

/** Turns references into checked, normalised image bytes. */
export interface ImageIngester {
  /** Rejects with a 400 `GatewayError` naming the offending part; honours the signal. */
  ingest(references: readonly ImageReference[], signal: AbortSignal): Promise<ImageData[]>;
}
