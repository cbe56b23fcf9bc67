import { invalidRequest } from '../../errors/gateway-error.js';
import { estimatePromptTokens } from '../../generation/request-needs.js';
import type { ModelRoute } from '../../generation/routing/model-registry.js';
import type { ImageData } from '../../images/image-data.js';
import { parseImageSize } from '../../images/image-geometry.js';
import type { GenerationRequest } from '../../provider.js';
import type { Exchange } from '../../server/exchange.js';
import { checkModelServes } from '../shared/model-surfaces.js';
import { projectIdOf } from '../shared/project-id.js';
import type { SurfaceContext } from '../surface-context.js';
import type { ImagesRequest } from './images-request-schema.js';
import { type ImagesOperation, readImagesRequest } from './read-images-request.js';

/** An Images API request that passed every check and is ready to dispatch. */
export interface PreparedImages {
  operation: ImagesOperation;
  request: ImagesRequest;
  /** The model as the client named it ("auto" when it named none). */
  model: string;
  generation: Omit<GenerationRequest, 'model'>;
  routes: ModelRoute[];
  projectId?: string;
  promptEstimate: number;
}

/** One Images API request in flight: the exchange it arrived in, and the request it became. */
export interface ImagesExchange extends Exchange {
  readonly prepared: PreparedImages;
}

/**
 * Everything before dispatch: read and validate the body (JSON or
 * multipart), refuse what this gateway cannot answer yet, find capable
 * routes, ingest the images. All of it happens before a stream opens, so
 * bad input is always a plain 4xx, never an error event.
 */
export async function prepareImages(exchange: Exchange, context: SurfaceContext, operation: ImagesOperation): Promise<PreparedImages> {
  const { call, caller, deadline } = exchange;
  const { request, inputs, mask } = await readImagesRequest(exchange, context, operation);
  if (request.response_format === 'url' && request.stream) {
    throw invalidRequest(
      'response_format "url" cannot be streamed: image_generation.* and image_edit.* events carry b64_json, as OpenAI sends them. Drop stream, or send response_format "b64_json".',
      'response_format',
      'unsupported_value',
    );
  }
  if (request.background === 'transparent' && request.output_format === 'jpeg') {
    throw invalidRequest('background "transparent" needs output_format "png" or "webp"; JPEG has no transparency.', 'background');
  }
  const projectId = projectIdOf(call, request.project_id, context.options.requireProjectId);
  const model = request.model ?? 'auto';
  checkModelServes(context.generation, model, operation === 'edit' ? 'images.edits' : 'images.generations');
  const n = request.n ?? 1;
  const promptEstimate = estimatePromptTokens(request.prompt.length, inputs.length);
  const plan = context.generation.plan(model, {
    imageOutput: true,
    imageInputs: inputs.length,
    tools: false,
    jsonMode: false,
    promptTokens: promptEstimate,
    images: n,
  });
  const images =
    inputs.length === 0
      ? []
      : await context.ingester.ingest(inputs, deadline.signal, { format: context.generation.inputFormatFor(plan.routes) });
  // A mask's alpha is the whole point: it is checked like any image, never converted to JPEG.
  const [maskImage] = mask ? await context.ingester.ingest([mask], deadline.signal, { format: 'original' }) : [];
  return {
    operation,
    request,
    model,
    generation: toGeneration(request, caller.requestId, images, maskImage, plan.suffix),
    routes: plan.routes,
    projectId,
    promptEstimate,
  };
}

function toGeneration(
  request: ImagesRequest,
  requestId: string,
  images: ImageData[],
  mask: ImageData | undefined,
  suffix: { imageSize?: string; aspectRatio?: string } | undefined,
): Omit<GenerationRequest, 'model'> {
  return {
    requestId,
    prompt: request.prompt,
    messages: [{ role: 'user', text: request.prompt, images }],
    inputImages: images,
    n: request.n ?? 1,
    size: request.size && request.size !== 'auto' ? parseImageSize(request.size) : undefined,
    aspectRatio: suffix?.aspectRatio,
    imageSize: suffix?.imageSize,
    quality: request.quality ?? undefined,
    background: request.background ?? undefined,
    outputFormat: request.output_format ?? undefined,
    outputCompression: request.output_compression ?? undefined,
    style: request.style ?? undefined,
    moderation: request.moderation ?? undefined,
    inputFidelity: request.input_fidelity ?? undefined,
    mask,
    partialImages: request.stream ? (request.partial_images ?? 0) : undefined,
    user: request.user ?? undefined,
    wantsImage: true,
    // The Images API has no text answer: an attempt without an image always fails.
    imageRequired: true,
    stream: request.stream ?? false,
    extra: {},
  };
}
