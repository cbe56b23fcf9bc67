import type { Sharp } from 'sharp';
import type { LocalOutputFormat } from './local-config.js';

/**
 * Runs one sharp pipeline to its end: under the gateway's conversion queue
 * when the engine has one (the same bound on concurrent sharp work as input
 * ingest), at once otherwise.
 */
export type RunSharp = <T>(task: () => Promise<T>) => Promise<T>;

/** Runs the pipeline at once: for an engine used on its own, outside a gateway. */
export const runSharpNow: RunSharp = (task) => task();

/** An encoded picture and what a caller needs to report about it. */
export interface EncodedImage {
  bytes: Buffer;
  mediaType: string;
  width: number;
  height: number;
}

const mediaTypes: Record<LocalOutputFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/**
 * Encodes a sharp pipeline in the engine's output format. JPEG has no alpha
 * channel, so transparency is flattened onto white rather than sharp's black.
 *
 * @example
 * const encoded = await encodeImage(sharp(svg), 'jpeg', 85, runSharpNow); // encoded.mediaType === 'image/jpeg'
 */
export async function encodeImage(image: Sharp, format: LocalOutputFormat, quality: number, runSharp: RunSharp): Promise<EncodedImage> {
  const pipeline =
    format === 'jpeg'
      ? image.flatten({ background: '#ffffff' }).jpeg({ quality })
      : format === 'webp'
        ? image.webp({ quality })
        : image.png();
  const { data, info } = await runSharp(() => pipeline.toBuffer({ resolveWithObject: true }));
  return { bytes: data, mediaType: mediaTypes[format], width: info.width, height: info.height };
}

/** The format a request asks for (`output_format`), when the engine can write it; else the configured one. */
export function chooseFormat(requested: string | undefined, configured: LocalOutputFormat): LocalOutputFormat {
  const normalized = requested
    ?.toLowerCase()
    .replace(/^image\//, '')
    .replace(/^jpg$/, 'jpeg');
  return normalized === 'jpeg' || normalized === 'png' || normalized === 'webp' ? normalized : configured;
}
