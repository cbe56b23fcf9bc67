import sharp from 'sharp';
import { ImageData } from '../../../src/images/image-data.js';
import type { GenerationEvent, GenerationRequest } from '../../../src/provider.js';
import { createLocalProvider } from '../../../src/providers/local/local-provider.js';
import type { ProviderConfig } from '../../../src/providers/shared/provider-config.js';
import { collect, generationRequest } from '../generation-request-fixture.js';

/** A request for the local engine, by default to draw a scene it knows. */
export function buildRequest(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return generationRequest({ model: 'local-image', prompt: 'draw a lighthouse at dusk', ...overrides });
}

/** Runs one generation to the end and returns every event. */
export async function generate(
  request: GenerationRequest,
  config: Partial<ProviderConfig> = {},
  signal: AbortSignal = new AbortController().signal,
): Promise<GenerationEvent[]> {
  const provider = createLocalProvider({ type: 'local', ...config });
  return collect(provider.generate(request, signal));
}

/** Format and size as a decoder sees them, not as the provider claims. */
export async function decode(image: ImageData): Promise<{ format: string | undefined; width: number; height: number; channels: number }> {
  const metadata = await sharp(image.bytes()).metadata();
  return { format: metadata.format, width: metadata.width ?? 0, height: metadata.height ?? 0, channels: metadata.channels ?? 0 };
}

/** Mean of each colour channel, in 0–255. */
export async function channelMeans(image: ImageData): Promise<{ red: number; green: number; blue: number }> {
  const [red, green, blue] = (await sharp(image.bytes()).toColourspace('srgb').stats()).channels.map((channel) => channel.mean);
  return { red: red ?? 0, green: green ?? 0, blue: blue ?? 0 };
}

/**
 * A colourful JPEG input like ingestion produces: a horizontal hue sweep,
 * so colour edits have something to change and orientation edits are visible.
 */
export async function sampleImage(width = 320, height = 200): Promise<ImageData> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      pixels[offset] = Math.round((255 * x) / width);
      pixels[offset + 1] = Math.round((255 * y) / height);
      pixels[offset + 2] = 255 - Math.round((255 * x) / width);
    }
  }
  const bytes = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  return ImageData.fromBytes(bytes, 'image/jpeg');
}

/** Mean over pixels of (largest channel − smallest channel): 0 for a gray image, high for vivid colour. */
export async function meanSpread(image: ImageData): Promise<number> {
  const { data } = await sharp(image.bytes()).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  let total = 0;
  for (let offset = 0; offset < data.length; offset += 3) {
    const channels = [data[offset] ?? 0, data[offset + 1] ?? 0, data[offset + 2] ?? 0];
    total += Math.max(...channels) - Math.min(...channels);
  }
  return total / (data.length / 3);
}

/** Mean absolute difference per channel value between two images of the same size. */
export async function pixelDifference(first: ImageData, second: ImageData): Promise<number> {
  const [left, right] = await Promise.all([first, second].map((image) => sharp(image.bytes()).raw().toBuffer()));
  if (!left || !right || left.length !== right.length) throw new Error('images differ in size');
  let total = 0;
  for (let index = 0; index < left.length; index++) total += Math.abs((left[index] ?? 0) - (right[index] ?? 0));
  return total / left.length;
}
