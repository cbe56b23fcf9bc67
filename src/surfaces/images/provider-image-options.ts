import type { ImagesRequest } from './images-request-schema.js';

/** Images API options that some providers act on and others cannot; prompt, n, size and output_format every provider serves. */
const optionalFields = [
  'quality',
  'style',
  'background',
  'output_compression',
  'moderation',
  'input_fidelity',
  'mask',
  'partial_images',
  'user',
] as const;

type OptionalField = (typeof optionalFields)[number];

/**
 * Which of those each built-in provider type honours; README's provider
 * support table says the same. `size` reaches every provider (Gemini and
 * relays as the nearest aspect ratio and tier), and `output_format` is
 * honoured by the gateway itself, converting when a provider answers in
 * another format. A provider type not listed here (your own) gets every
 * field in its request and decides for itself.
 */
const honouredBy: Readonly<Record<string, readonly OptionalField[]>> = {
  openai: optionalFields,
  gemini: [],
  'openai-chat': [],
  flux: [],
  local: [],
};

/**
 * The options of a request that the provider type will not act on, for
 * the `x-gateway-ignored-options` warning header; empty when it honours all.
 *
 * @example
 * ignoredOptions('gemini', { prompt: 'a cat', quality: 'high', style: 'vivid' }, false); // ['quality', 'style']
 */
export function ignoredOptions(providerType: string, request: ImagesRequest, hasMask: boolean): string[] {
  const honoured = honouredBy[providerType];
  if (!honoured) return [];
  const ignored: string[] = [];
  for (const field of optionalFields) {
    // A multipart mask is a file, not a field of the request.
    const value =
      field === 'mask'
        ? hasMask || undefined
        : field === 'partial_images'
          ? request.stream
            ? request.partial_images
            : undefined
          : request[field];
    // "auto" asks for nothing in particular: no provider ignores it.
    if (value === undefined || value === null || value === 'auto' || value === 0) continue;
    if (!honoured.includes(field)) ignored.push(field);
  }
  return ignored;
}
