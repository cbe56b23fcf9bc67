import { invalidRequest } from '../../errors/gateway-error.js';
import { textAsksForEdit, textAsksForImage } from '../../generation/image-intent.js';
import { detectNeeds } from '../../generation/request-needs.js';
import type { ModelRoute } from '../../generation/routing/model-registry.js';
import type { GenerationRequest } from '../../generation-request.js';
import { checkImageCount } from '../../images/ingest/image-ingest-checks.js';
import type { LinkedSignal } from '../../lib/cancel-signal.js';
import type { IncomingCall } from '../../server/incoming-call.js';
import { readJsonBody } from '../../server/read-json-body.js';
import type { CallerInfo, GatewayContext } from '../surface-context.js';
import { isChatRequestImageUrlPath } from './chat-request-image-paths.js';
import type { ChatRequest } from './chat-request-schema.js';
import { messageText, normalizeRequest } from './chat-to-generation.js';
import { type ImagePlacement, resolveImagePlacement } from './image-placement.js';
import { planImageInputs } from './image-references.js';
import { validateChatRequest } from './validate-chat-request.js';

/** A request that passed every check and is ready to dispatch. */
export interface PreparedCompletion {
  chat: ChatRequest;
  generation: Omit<GenerationRequest, 'model'>;
  routes: ModelRoute[];
  placement: ImagePlacement;
  projectId?: string;
  promptEstimate: number;
  reasoningEffort?: string;
}

/**
 * Everything before dispatch: read and validate the body, find capable
 * routes, ingest images. All of it happens before a stream opens, so bad
 * input is always a plain 4xx, never an error event.
 */
export async function prepareCompletion(
  call: IncomingCall,
  context: GatewayContext,
  caller: CallerInfo,
  /** The client plus the request's deadline; its AbortSignal is only made when images are fetched or converted. */
  deadline: LinkedSignal,
): Promise<PreparedCompletion> {
  const body = await readJsonBody(call, context.options.maxBodyBytes, deadline, { liftAt: isChatRequestImageUrlPath });
  const chat = validateChatRequest(body);
  const projectId = chat.project_id ?? call.header('x-gateway-project-id') ?? undefined;
  if (context.options.requireProjectId && !projectId) {
    throw invalidRequest(
      'A project is required: send "project_id" in the body or the x-gateway-project-id header.',
      'project_id',
      'PROJECT_ID_REQUIRED',
    );
  }

  const plan = planImageInputs(chat);
  // Before routing, so too many images is TOO_MANY_IMAGES rather than a model's capability error.
  checkImageCount(plan.references, context.options.images.maxImages);
  const lastUser = [...chat.messages].reverse().find((message) => message.role === 'user');
  const prompt = lastUser ? messageText(lastUser) : '';
  const lookup = context.planner.lookup(chat.model);
  const wantsImage = decideImageOutput(chat, lookup.routes, prompt, plan.inputIndexes.length > 0);
  const needs = detectNeeds(chat, plan.references.length, wantsImage);
  const routePlan = context.planner.plan(chat.model, needs);

  const images =
    plan.references.length === 0
      ? []
      : await context.ingester.ingest(plan.references, deadline.signal, { format: inputFormatFor(routePlan.routes, context) });
  const generation = normalizeRequest(chat, { requestId: caller.requestId, plan, images, wantsImage, suffix: routePlan.suffix });
  const firstModel = routePlan.routes[0]?.model.capabilities;
  const reasoningEffort =
    generation.reasoningLevel && firstModel && firstModel.reasoning !== 'none' ? generation.reasoningLevel : undefined;
  return {
    chat,
    generation,
    routes: routePlan.routes,
    placement: resolveImagePlacement(context.options.imageOutput, Boolean(chat.modalities)),
    projectId,
    promptEstimate: needs.promptTokens,
    reasoningEffort,
  };
}

/** A provider's `inputFormat` applies when every planned route agrees; otherwise `images.convertToJpeg` decides. */
function inputFormatFor(routes: readonly ModelRoute[], context: GatewayContext): 'jpeg' | 'original' | undefined {
  const formats = new Set(routes.map((route) => context.inputFormats.get(route.provider.id)));
  return formats.size === 1 ? [...formats][0] : undefined;
}

/**
 * Explicit signals first (`modalities`, a model that only draws), then the
 * words: "generate a cat" draws, "make it brighter" with an image edits,
 * "what is in this image?" answers in text.
 */
function decideImageOutput(chat: ChatRequest, routes: readonly ModelRoute[], prompt: string, hasInputImages: boolean): boolean {
  if (chat.modalities) return chat.modalities.includes('image');
  if (
    chat.model !== 'auto' &&
    routes.length > 0 &&
    routes.every((route) => route.model.capabilities.imageOutput && !route.model.capabilities.text)
  ) {
    return true;
  }
  if (chat.size || chat.aspect_ratio || chat.image_config) return true;
  if (hasInputImages) return textAsksForEdit(prompt) || textAsksForImage(prompt);
  return textAsksForImage(prompt);
}
