import type { ImageData } from '../../images/image-data.js';
import type { GenerationRequest, ModelInfo } from '../../provider.js';
import { chooseImageSize, imageFamilyOf, type OpenAIImageFamily } from './openai-images-models.js';
import type { OpenAIImagesSettings } from './openai-images-settings.js';

/** One Images API call, ready to send. */
export interface ImagesCall {
  path: 'images/generations' | 'images/edits';
  /** JSON text for generations, FormData for edits (fetch sets the multipart boundary). */
  body: string | FormData;
  contentType: string | undefined;
  stream: boolean;
  family: OpenAIImageFamily;
}

/**
 * Builds the upstream call for a request: `images/edits` (multipart) when it
 * carries input images, `images/generations` (JSON) otherwise, with each
 * field mapped under the model family's rules.
 *
 * @example
 * const call = buildImagesCall(request, model, settings, 1);
 */
export function buildImagesCall(request: GenerationRequest, model: ModelInfo, settings: OpenAIImagesSettings, count: number): ImagesCall {
  const family = imageFamilyOf(request.model);
  const gptImage = family === 'gpt-image';
  const stream = gptImage && request.stream;
  const fields: Record<string, string | number | boolean | undefined> = {
    model: request.model,
    prompt: request.prompt,
    n: count > 1 ? count : undefined,
    size: chooseImageSize(request, model.capabilities.sizes),
    quality: mapQuality(request.quality, family),
    background: gptImage ? request.background : undefined,
    output_format: gptImage ? request.outputFormat : undefined,
    output_compression: gptImage && request.outputFormat && request.outputFormat !== 'png' ? request.outputCompression : undefined,
    moderation: gptImage ? (request.moderation ?? settings.moderation) : undefined,
    style: family === 'dall-e-3' ? request.style : undefined,
    input_fidelity: gptImage && request.inputImages.length > 0 ? request.inputFidelity : undefined,
    user: request.user,
    response_format: gptImage ? undefined : settings.dalleResponseFormat,
    stream: stream ? true : undefined,
    partial_images: stream ? (request.partialImages ?? settings.partialImages) : undefined,
  };
  if (request.inputImages.length === 0) {
    const json: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) json[name] = value;
    return { path: 'images/generations', body: JSON.stringify(json), contentType: 'application/json', stream, family };
  }
  return { path: 'images/edits', body: editForm(fields, request.inputImages, request.mask), contentType: undefined, stream, family };
}

/** Multipart form of an edit: fields as text, one `image` or several `image[]` (the official SDK's naming). */
function editForm(
  fields: Record<string, string | number | boolean | undefined>,
  images: readonly ImageData[],
  mask: ImageData | undefined,
): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.append(name, String(value));
  const fieldName = images.length === 1 ? 'image' : 'image[]';
  images.forEach((image, index) => {
    const extension = image.mediaType.split('/')[1]?.replace('jpeg', 'jpg') ?? 'png';
    form.append(
      fieldName,
      new Blob([image.bytes() as Uint8Array<ArrayBuffer>], { type: image.mediaType }),
      `image-${index + 1}.${extension}`,
    );
  });
  if (mask) form.append('mask', new Blob([mask.bytes() as Uint8Array<ArrayBuffer>], { type: mask.mediaType }), 'mask.png');
  return form;
}

/** Each family has its own quality words; unknown words are left out rather than rejected upstream. */
function mapQuality(quality: string | undefined, family: OpenAIImageFamily): string | undefined {
  if (!quality) return undefined;
  if (family === 'dall-e-2') return undefined;
  if (family === 'dall-e-3') {
    if (quality === 'hd' || quality === 'high') return 'hd';
    return quality === 'auto' ? undefined : 'standard';
  }
  if (['low', 'medium', 'high', 'auto'].includes(quality)) return quality;
  if (quality === 'hd') return 'high';
  if (quality === 'standard') return 'medium';
  return undefined;
}
