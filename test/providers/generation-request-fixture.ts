/**
 * What provider tests hand a provider and how they read its answer: a
 * GenerationRequest as normalisation builds it, real input images, and the
 * images and text among the events.
 */
import sharp from 'sharp';
import { ImageData } from '../../src/images/image-data.js';
import type { GenerationEvent, GenerationRequest } from '../../src/provider.js';

/**
 * A GenerationRequest for a single user turn, as normalize-request would build it.
 *
 * @example
 * generationRequest({ model: 'gpt-image-1', prompt: 'Draw a cat', n: 2 });
 */
export function generationRequest(overrides: Partial<GenerationRequest> & { model: string }): GenerationRequest {
  const prompt = overrides.prompt ?? 'Draw a cat';
  const inputImages = overrides.inputImages ?? [];
  return {
    requestId: 'req-test',
    prompt,
    messages: [{ role: 'user', text: prompt, images: inputImages }],
    inputImages,
    n: 1,
    wantsImage: true,
    stream: false,
    extra: {},
    ...overrides,
  };
}

/** Drains a provider's events. */
export async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

export function imagesOf(events: readonly GenerationEvent[]): ImageData[] {
  return events.flatMap((event) => (event.type === 'image' ? [event.image] : []));
}

export function textOf(events: readonly GenerationEvent[], type: 'text-delta' | 'reasoning-delta' = 'text-delta'): string {
  return events.map((event) => (event.type === type ? event.text : '')).join('');
}

/** A real JPEG of the given size, as the ingest stage would produce. */
export async function jpegImage(width: number, height: number): Promise<ImageData> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: 20, g: 90, b: 200 } } })
    .jpeg()
    .toBuffer();
  return ImageData.fromBytes(bytes, 'image/jpeg');
}

/** Decoded size, format and mean colour of an image, as a user would see it. */
export async function describeImage(image: ImageData) {
  const decoded = sharp(image.bytes());
  const [metadata, stats] = await Promise.all([decoded.metadata(), decoded.stats()]);
  const [red = 0, green = 0, blue = 0] = stats.channels.map((channel) => Math.round(channel.mean));
  return { width: metadata.width, height: metadata.height, format: metadata.format, colour: { red, green, blue } };
}
