import type { ImageData } from '../../../src/images/image-data.js';
import type { GenerationRequest } from '../../../src/request/generation-request.js';

/** A GenerationRequest as normalize-request would build it for a single user turn. */
export function generationRequest(overrides: Partial<GenerationRequest> & { model: string }): GenerationRequest {
  const prompt = overrides.prompt ?? 'Draw a cat';
  const inputImages: ImageData[] = overrides.inputImages ?? [];
  return {
    requestId: 'req-test-1',
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
