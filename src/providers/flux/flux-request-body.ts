import { invalidRequest } from '../../errors/gateway-error.js';
import { nearestAspectRatio, parseAspectRatio } from '../../images/image-geometry.js';
import type { GenerationRequest } from '../../provider.js';
import type { FluxModelProfile } from './flux-models.js';
import type { FluxSettings } from './flux-settings.js';

/** Ratios offered when a pixel size or an odd ratio has to be snapped; BFL accepts 21:9 to 9:21. */
const fluxAspectRatios = ['21:9', '16:9', '3:2', '4:3', '5:4', '1:1', '4:5', '3:4', '2:3', '9:16', '9:21'];
const widest = 21 / 9;
const tierPixels: Record<string, number> = { '512': 512 * 512, '1K': 1024 * 1024, '2K': 2048 * 2048, '4K': 4096 * 4096 };

/** The aspect ratio for Kontext / Ultra: as asked when it is a plain "W:H" in range, else snapped. */
export function fluxAspectRatio(request: Pick<GenerationRequest, 'aspectRatio' | 'size'>): string | undefined {
  const asked = request.aspectRatio?.trim();
  const ratio = asked ? parseAspectRatio(asked) : request.size ? request.size.width / request.size.height : undefined;
  if (ratio === undefined) return undefined;
  if (asked && /^\d+:\d+$/.test(asked) && ratio <= widest && ratio >= 1 / widest) return asked;
  return nearestAspectRatio(Math.min(widest, Math.max(1 / widest, ratio)), fluxAspectRatios);
}

/**
 * Width and height for FLUX 1.1 / dev / FLUX.2: the asked size (or a ratio at
 * the asked tier's pixel count) fitted into the model's limits and rounded to
 * its step. Undefined leaves the model's default size.
 */
export function fluxDimensions(
  request: Pick<GenerationRequest, 'aspectRatio' | 'size' | 'imageSize'>,
  profile: FluxModelProfile,
): { width: number; height: number } | undefined {
  let width: number;
  let height: number;
  if (request.size) {
    ({ width, height } = request.size);
  } else if (request.aspectRatio || request.imageSize) {
    const ratio = (request.aspectRatio && parseAspectRatio(request.aspectRatio)) || 1;
    const pixels = tierPixels[request.imageSize?.toUpperCase() ?? '1K'] ?? tierPixels['1K']!;
    width = Math.sqrt(pixels * ratio);
    height = width / ratio;
  } else {
    return undefined;
  }
  const shrink = Math.min(1, Math.sqrt(profile.maxPixels / (width * height)), profile.maxEdge / Math.max(width, height));
  const grow = Math.max(1, profile.minEdge / Math.min(width * shrink, height * shrink));
  const step = profile.dimensionStep;
  const snapEdge = (edge: number) =>
    Math.min(Math.floor(profile.maxEdge / step) * step, Math.max(Math.ceil(profile.minEdge / step) * step, Math.round(edge / step) * step));
  width = snapEdge(width * shrink * grow);
  height = snapEdge(height * shrink * grow);
  while (width * height > profile.maxPixels) {
    if (width >= height) width -= step;
    else height -= step;
  }
  return { width, height };
}

/**
 * The submit body for `POST /v1/{model}`.
 *
 * @example
 * buildFluxBody(request, fluxProfile('flux-kontext-pro'), settings); // { prompt, aspect_ratio: "16:9", output_format: "jpeg", ... }
 */
export function buildFluxBody(
  request: GenerationRequest,
  profile: FluxModelProfile,
  settings: Pick<FluxSettings, 'outputFormat' | 'safetyTolerance' | 'promptUpsampling'>,
): Record<string, unknown> {
  if (request.inputImages.length > profile.maxInputImages) {
    const limit = profile.maxInputImages === 0 ? 'takes no input images' : `takes at most ${profile.maxInputImages} input images`;
    throw invalidRequest(`Model ${request.model} ${limit}; got ${request.inputImages.length}.`, 'messages', 'too_many_images');
  }
  const body: Record<string, unknown> = { prompt: request.prompt };
  request.inputImages.forEach((image, index) => {
    body[index === 0 ? 'input_image' : `input_image_${index + 1}`] = image.base64();
  });
  if (profile.sizing === 'aspect-ratio') {
    const aspectRatio = fluxAspectRatio(request);
    if (aspectRatio) body.aspect_ratio = aspectRatio;
  } else {
    Object.assign(body, fluxDimensions(request, profile));
  }
  if (request.seed !== undefined) body.seed = request.seed;
  const asked = request.outputFormat?.toLowerCase().replace('jpg', 'jpeg');
  body.output_format = asked === 'png' || asked === 'jpeg' ? asked : settings.outputFormat;
  if (settings.safetyTolerance !== undefined) body.safety_tolerance = settings.safetyTolerance;
  if (settings.promptUpsampling !== undefined) body.prompt_upsampling = settings.promptUpsampling;
  return body;
}
