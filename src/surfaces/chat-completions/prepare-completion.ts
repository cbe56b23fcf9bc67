import { invalidRequest } from '../../errors/gateway-error.js';
import { imageRequired, wantsImageOutput } from '../../generation/image-intent.js';
import { estimatePromptTokens, type RequestNeeds } from '../../generation/request-needs.js';
import type { ModelRoute } from '../../generation/routing/model-registry.js';
import { checkImageCount } from '../../images/ingest/image-ingest-checks.js';
import type { GenerationRequest } from '../../provider.js';
import type { Exchange } from '../../server/exchange.js';
import { readJsonBody } from '../../server/read-json-body.js';
import { checkProjectId } from '../../server/request-limits.js';
import type { SurfaceContext } from '../surface-context.js';
import { isChatRequestImageUrlPath, isChatRequestTextPath } from './chat-request-image-paths.js';
import type { ChatRequest } from './chat-request-schema.js';
import { messageText, normalizeRequest } from './chat-to-generation.js';
import { newCompletionId } from './completion-ids.js';
import { type ImagePlacement, resolveImagePlacement } from './image-placement.js';
import { planImageInputs } from './image-references.js';
import { findMarkdownImages } from './markdown-images.js';
import { validateChatRequest } from './validate-chat-request.js';

/** A chat request that passed every check and is ready to dispatch. */
export interface PreparedCompletion {
  chat: ChatRequest;
  generation: Omit<GenerationRequest, 'model'>;
  routes: ModelRoute[];
  placement: ImagePlacement;
  projectId?: string;
  promptEstimate: number;
  reasoningEffort?: string;
  /** Made before the run, so a stored completion (`store: true`) can be found by it while it runs. */
  completionId: string;
}

/** One chat completion in flight: the exchange it arrived in, and the request it became. */
export interface CompletionExchange extends Exchange {
  readonly prepared: PreparedCompletion;
}

/** Image URLs are lifted out of the body; image data URLs inside message text count as image data, not text. */
const chatRequestLifting = { liftAt: isChatRequestImageUrlPath, countPayloadsAt: isChatRequestTextPath };

/**
 * Everything before dispatch: read and validate the body, find capable
 * routes, ingest images. All of it happens before a stream opens, so bad
 * input is always a plain 4xx, never an error event.
 */
export async function prepareCompletion(exchange: Exchange, context: SurfaceContext): Promise<PreparedCompletion> {
  const { call, caller, deadline } = exchange;
  // The deadline's AbortSignal is only made when images are fetched or converted.
  const body = await readJsonBody(call, context.options.maxBodyBytes, deadline, chatRequestLifting, context.options.requestLimits);
  const chat = validateChatRequest(body);
  const projectId = projectIdOf(chat, call.header('x-gateway-project-id'));
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
  const lastUser = chat.messages.findLast((message) => message.role === 'user');
  const prompt = lastUser ? messageText(lastUser) : '';
  const wish = {
    modalities: chat.modalities,
    model: chat.model,
    routes: context.generation.lookup(chat.model).routes,
    imageOptions: Boolean(chat.size || chat.aspect_ratio || chat.image_config),
    prompt,
    hasInputImages: plan.inputIndexes.length > 0,
  };
  const wantsImage = wantsImageOutput(wish);
  // Only what the request cannot do without makes a text answer an error; a hint never does.
  const required = wantsImage && imageRequired(wish);
  const needs = needsOf(chat, plan.references.length, wantsImage);
  const routePlan = context.generation.plan(chat.model, needs);

  const images =
    plan.references.length === 0
      ? []
      : await context.ingester.ingest(plan.references, deadline.signal, { format: context.generation.inputFormatFor(routePlan.routes) });
  const generation = normalizeRequest(chat, {
    requestId: caller.requestId,
    plan,
    images,
    wantsImage,
    imageRequired: required,
    suffix: routePlan.suffix,
    forwardFields: context.options.forwardFields,
  });
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
    completionId: newCompletionId(),
  };
}

/** The project the request counts against: the body's `project_id`, else the header; checked before it reaches a log or a table. */
function projectIdOf(chat: ChatRequest, header: string | null | undefined): string | undefined {
  if (chat.project_id !== undefined && chat.project_id !== null) return checkProjectId(chat.project_id, 'project_id');
  return header ? checkProjectId(header, 'x-gateway-project-id') : undefined;
}

/** What a chat request needs from a model, read from its fields (seed 002's capability table). */
function needsOf(chat: ChatRequest, imageInputs: number, wantsImage: boolean): RequestNeeds {
  let characters = 0;
  for (const message of chat.messages) {
    if (typeof message.content === 'string') characters += textCharacters(message.content);
    else if (Array.isArray(message.content)) {
      for (const part of message.content) if (part.type === 'text') characters += textCharacters(part.text);
    }
  }
  return {
    imageOutput: wantsImage,
    imageInputs,
    tools: (chat.tools?.length ?? 0) > 0 && chat.tool_choice !== 'none',
    jsonMode: chat.response_format?.type === 'json_object' || chat.response_format?.type === 'json_schema',
    promptTokens: estimatePromptTokens(characters, imageInputs),
    reasoning: chat.min_reasoning_level ?? undefined,
    images: chat.n ?? 1,
  };
}

/** Characters of a message text without its markdown images' data URLs: an earlier answer's image is not prompt text. */
function textCharacters(text: string): number {
  if (!text.includes('](data:')) return text.length;
  let characters = text.length;
  for (const image of findMarkdownImages(text)) if (image.url.startsWith('data:')) characters -= image.url.length;
  return characters;
}
