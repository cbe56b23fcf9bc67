import { UpstreamError } from '../../errors/upstream-error.js';
import type { LiftedString } from '../../lib/json/json-lifted-string.js';
import type { GenerationEvent, GenerationSignal, GenerationUsage } from '../../provider.js';
import { promptDetails } from '../shared/generation-usage.js';
import type { UpstreamHttp } from '../shared/upstream-http.js';
import { imageFromUrl } from '../shared/upstream-images.js';
import { hasB64Json, imageFromB64Json } from './openai-images-lifted.js';

/** The `usage` object of Images API answers and completed stream events (GPT image models only). */
export interface ImagesUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  output_tokens_details?: { image_tokens?: number; text_tokens?: number };
  input_tokens_details?: { image_tokens?: number; text_tokens?: number };
}

/** Only the fields we read; extras are ignored. */
export interface ImagesResponseBody {
  data?: Array<{ b64_json?: string | LiftedString | null; url?: string | null; revised_prompt?: string | null }>;
  output_format?: string;
  usage?: ImagesUsage;
}

export interface ImagesResponseContext {
  provider: string;
  url: string;
  http: UpstreamHttp;
  signal: GenerationSignal;
}

/**
 * The events of one non-streaming Images API answer: a reasoning line per
 * `revised_prompt` (dall-e-3 rewrites prompts; it is not the answer, so it
 * does not go into the content), one `image` per `data[]` entry, downloaded
 * when the entry is a `url`. Usage is returned for the caller to sum.
 */
export async function* readImagesResponse(
  body: ImagesResponseBody,
  context: ImagesResponseContext,
): AsyncGenerator<GenerationEvent, GenerationUsage | undefined> {
  const entries = Array.isArray(body.data) ? body.data : [];
  const declaredType = formatToMediaType(body.output_format);
  let images = 0;
  for (const entry of entries) {
    if (entry.revised_prompt) yield { type: 'reasoning-delta', text: `Revised prompt: ${entry.revised_prompt}\n` };
    if (hasB64Json(entry.b64_json)) {
      yield { type: 'image', image: imageFromB64Json(entry.b64_json, declaredType) };
      images += 1;
    } else if (entry.url) {
      yield { type: 'image', image: await imageFromUrl(entry.url, context) };
      images += 1;
    }
  }
  if (images === 0) {
    throw new UpstreamError({
      provider: context.provider,
      kind: 'no_image',
      status: 200,
      message: 'the upstream answered without an image',
      url: context.url,
    });
  }
  return usageFromImages(body.usage);
}

/** Images API usage as gateway usage: every output token of this API is an image token unless split out. */
export function usageFromImages(usage: ImagesUsage | undefined): GenerationUsage | undefined {
  if (!usage || typeof usage.input_tokens !== 'number' || typeof usage.output_tokens !== 'number') return undefined;
  return {
    promptTokens: usage.input_tokens,
    completionTokens: usage.output_tokens,
    totalTokens: usage.total_tokens ?? usage.input_tokens + usage.output_tokens,
    imageTokens: usage.output_tokens_details?.image_tokens ?? usage.output_tokens,
    ...promptDetails(usage.input_tokens_details?.text_tokens, usage.input_tokens_details?.image_tokens),
  };
}

export function formatToMediaType(format: unknown): string | undefined {
  if (format === 'png' || format === 'jpeg' || format === 'webp') return `image/${format}`;
  return undefined;
}
