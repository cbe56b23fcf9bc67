import sharp from 'sharp';
import { ImageData } from '../../../src/images/image-data.js';
import type { GenerationRequest } from '../../../src/request/generation-request.js';

/** A normalised request as the gateway would hand it to a provider. */
export function generationRequest(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  const prompt = overrides.prompt ?? 'generate a cat';
  return {
    requestId: 'request-1',
    model: 'gemini-2.5-flash-image',
    prompt,
    messages: [{ role: 'user', text: prompt, images: overrides.inputImages ?? [] }],
    inputImages: [],
    n: 1,
    wantsImage: true,
    stream: false,
    extra: {},
    ...overrides,
  };
}

/** A real JPEG of the given size, as the ingest stage would produce. */
export async function jpegImage(width: number, height: number): Promise<ImageData> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: 20, g: 90, b: 200 } } })
    .jpeg()
    .toBuffer();
  return ImageData.fromBytes(bytes, 'image/jpeg');
}

/** Drains a provider's events. */
export async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** Decoded size, format and mean colour of an image, as a user would see it. */
export async function describeImage(image: ImageData) {
  const decoded = sharp(image.bytes());
  const [metadata, stats] = await Promise.all([decoded.metadata(), decoded.stats()]);
  const [red = 0, green = 0, blue = 0] = stats.channels.map((channel) => Math.round(channel.mean));
  return { width: metadata.width, height: metadata.height, format: metadata.format, colour: { red, green, blue } };
}
