import type { GenerationRequest, ModelCapabilities, ModelInfo } from '../../provider.js';
import { imageModelCapabilities, resolveModels } from '../shared/model-catalog.js';
import type { ModelConfig } from '../shared/provider-config.js';

/** How the Images API treats a model: dall-e models have their own rules (n, response_format, no streaming). */
export type OpenAIImageFamily = 'gpt-image' | 'dall-e-3' | 'dall-e-2';

const gptImageCapabilities: ModelCapabilities = {
  ...imageModelCapabilities,
  // OpenAI takes up to 16 input images; the gateway's own limit is 10.
  maxInputImages: 10,
  maxImagesPerRequest: 10,
  sizes: ['1024x1024', '1536x1024', '1024x1536'],
};

const familyCapabilities: Record<OpenAIImageFamily, ModelCapabilities> = {
  'gpt-image': gptImageCapabilities,
  'dall-e-3': {
    ...imageModelCapabilities,
    imageInput: false,
    maxInputImages: 0,
    contextWindow: 4_000,
    maxImagesPerRequest: 1,
    sizes: ['1024x1024', '1792x1024', '1024x1792'],
  },
  'dall-e-2': {
    ...imageModelCapabilities,
    maxInputImages: 1,
    contextWindow: 1_000,
    maxImagesPerRequest: 10,
    sizes: ['256x256', '512x512', '1024x1024'],
  },
};

/** The models an `openai` instance serves when none are configured. */
export const openAIImagesDefaultModels: readonly ModelInfo[] = [
  { id: 'gpt-image-1', capabilities: gptImageCapabilities },
  { id: 'gpt-image-1-mini', capabilities: gptImageCapabilities },
  { id: 'gpt-image-1.5', capabilities: gptImageCapabilities },
  { id: 'dall-e-3', capabilities: familyCapabilities['dall-e-3'] },
  { id: 'dall-e-2', capabilities: familyCapabilities['dall-e-2'] },
];

export function imageFamilyOf(model: string): OpenAIImageFamily {
  if (model.startsWith('dall-e-3')) return 'dall-e-3';
  if (model.startsWith('dall-e-2')) return 'dall-e-2';
  return 'gpt-image';
}

/**
 * The instance's models: the defaults, or the configured ids, where an
 * unknown id takes the capabilities of its family (`gpt-image-2` accepts any
 * `WxH`, so it gets no size list).
 */
export function resolveOpenAIImageModels(configured: readonly ModelConfig[] | undefined): ModelInfo[] {
  if (!configured) return resolveModels(openAIImagesDefaultModels, undefined, gptImageCapabilities);
  return configured.flatMap((entry) => {
    const id = typeof entry === 'string' ? entry : entry.id;
    const family = familyCapabilities[imageFamilyOf(id)];
    const fallback = /^gpt-image-2/.test(id) ? { ...family, sizes: undefined } : family;
    return resolveModels(openAIImagesDefaultModels, [entry], fallback);
  });
}

/**
 * The `size` to send: the asked `WxH` when the model takes it, otherwise the
 * allowed size closest in shape (then in area); an aspect ratio picks the
 * allowed size of the closest shape. Undefined leaves the model's default.
 *
 * @example
 * chooseImageSize({ size: { width: 1920, height: 1080 } }, ['1024x1024', '1536x1024']); // "1536x1024"
 */
export function chooseImageSize(
  request: Pick<GenerationRequest, 'size' | 'aspectRatio'>,
  sizes: readonly string[] | undefined,
): string | undefined {
  const wanted = request.size ?? ratioToSize(request.aspectRatio);
  if (!wanted) return undefined;
  const asked = `${wanted.width}x${wanted.height}`;
  if (!sizes || sizes.length === 0) return request.size ? asked : undefined;
  if (request.size && sizes.includes(asked)) return asked;
  const targetShape = Math.log(wanted.width / wanted.height);
  // An aspect ratio alone says nothing about area: prefer the 1024-class size.
  const targetArea = Math.log(request.size ? wanted.width * wanted.height : 1024 * 1024);
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const size of sizes) {
    const parsed = parseSize(size);
    if (!parsed) continue;
    const shapeDistance = Math.abs(Math.log(parsed.width / parsed.height) - targetShape);
    const areaDistance = Math.abs(Math.log(parsed.width * parsed.height) - targetArea);
    const score = shapeDistance * 100 + areaDistance;
    if (score < bestScore) {
      bestScore = score;
      best = size;
    }
  }
  return best;
}

function ratioToSize(aspectRatio: string | undefined): { width: number; height: number } | undefined {
  const match = aspectRatio ? /^(\d+):(\d+)$/.exec(aspectRatio) : null;
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

function parseSize(size: string): { width: number; height: number } | undefined {
  const match = /^(\d+)x(\d+)$/.exec(size);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}
