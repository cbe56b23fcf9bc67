import type { ImageData } from '../../images/image-data.js';
import type { GenerationRequest } from '../../provider.js';
import { geminiImageConfig } from './gemini-image-config.js';
import type { GeminiModelProfile } from './gemini-models.js';
import type { GeminiSettings } from './gemini-settings.js';
import type { GeminiContent, GeminiRequestBody, GeminiRequestPart } from './gemini-wire.js';

export interface GeminiBodyOptions {
  profile: GeminiModelProfile;
  aspectRatios: readonly string[] | undefined;
  settings: Pick<GeminiSettings, 'includeThoughts' | 'safetySettings'>;
  /**
   * What goes in `inlineData.data` for an image: its base64 (the default), or
   * a stand-in the caller swaps for the image's bytes when it writes the body
   * (see PayloadSlots), so megabytes of base64 are never stringified.
   */
  imageData?: (image: ImageData) => string;
}

const base64Of = (image: ImageData) => image.base64();

/**
 * The conversation as Gemini `contents`: assistant turns become role
 * "model" (with the images they produced), system and tool turns are left to
 * `systemInstruction` / dropped, and consecutive turns of one role are merged
 * because older models insist on alternation.
 */
function buildContents(request: GenerationRequest, imageData: (image: ImageData) => string): GeminiContent[] {
  const imagePart = (image: ImageData): GeminiRequestPart => ({ inlineData: { mimeType: image.mediaType, data: imageData(image) } });
  const contents: GeminiContent[] = [];
  const seen = new Set<ImageData>();
  for (const message of request.messages) {
    if (message.role !== 'user' && message.role !== 'assistant') continue;
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts: GeminiRequestPart[] = [];
    for (const image of message.images) {
      seen.add(image);
      parts.push(imagePart(image));
    }
    if (message.text.trim()) parts.push({ text: message.text });
    if (parts.length === 0) continue;
    const previous = contents.at(-1);
    if (previous?.role === role) previous.parts.push(...parts);
    else contents.push({ role, parts });
  }
  // Providers called without a history (or input images not carried by any
  // message) still send the prompt and every input image in the last user turn.
  const missingImages = request.inputImages.filter((image) => !seen.has(image)).map(imagePart);
  const last = contents.at(-1);
  if (last?.role === 'user') {
    last.parts.unshift(...missingImages);
  } else {
    const parts = [...missingImages, ...(request.prompt.trim() ? [{ text: request.prompt }] : [])];
    if (parts.length > 0) contents.push({ role: 'user', parts });
  }
  return contents;
}

/**
 * Builds the `generateContent` body for one call. `candidateCount` is never
 * sent: image models reject anything but 1, and n images are n calls.
 *
 * @example
 * const body = buildGeminiBody(request, { profile: geminiProfile(request.model), aspectRatios, settings });
 */
export function buildGeminiBody(request: GenerationRequest, options: GeminiBodyOptions): GeminiRequestBody {
  const generationConfig: GeminiRequestBody['generationConfig'] = {
    responseModalities: request.wantsImage ? ['TEXT', 'IMAGE'] : ['TEXT'],
  };
  const imageConfig = request.wantsImage ? geminiImageConfig(request, options.profile, options.aspectRatios) : undefined;
  if (imageConfig) generationConfig.imageConfig = imageConfig;
  if (request.temperature !== undefined) generationConfig.temperature = request.temperature;
  if (request.seed !== undefined) generationConfig.seed = request.seed;
  if (request.maxTokens !== undefined) generationConfig.maxOutputTokens = request.maxTokens;
  if (options.profile.thinking && options.settings.includeThoughts) generationConfig.thinkingConfig = { includeThoughts: true };

  const body: GeminiRequestBody = { contents: buildContents(request, options.imageData ?? base64Of), generationConfig };
  if (request.system?.trim()) body.systemInstruction = { parts: [{ text: request.system }] };
  if (options.settings.safetySettings) body.safetySettings = options.settings.safetySettings;
  return body;
}
