import { invalidRequest } from '../../errors/gateway-error.js';
import { imageRequired, wantsImageOutput } from '../../generation/image-intent.js';
import { estimatePromptTokens } from '../../generation/request-needs.js';
import type { ModelRoute } from '../../generation/routing/model-registry.js';
import type { ImageData } from '../../images/image-data.js';
import { parseImageSize } from '../../images/image-geometry.js';
import type { ImageReference } from '../../images/ingest/image-ingest-types.js';
import type { JsonPath } from '../../lib/json/json-lifting-reader.js';
import type { ConversationMessage, GenerationRequest } from '../../provider.js';
import type { Exchange } from '../../server/exchange.js';
import { readJsonBody } from '../../server/read-json-body.js';
import { checkModelServes } from '../shared/model-surfaces.js';
import { projectIdOf } from '../shared/project-id.js';
import { parseRequest } from '../shared/request-validation.js';
import type { SurfaceContext } from '../surface-context.js';
import { continueFrom, conversationOf, previousResponse } from './previous-response.js';
import { ResponseLifecycle } from './response-lifecycle.js';
import { newResponseIdentity } from './response-object.js';
import {
  type ImageGenerationTool,
  type ResponsesMessage,
  type ResponsesRequest,
  responsesRequestSchema,
} from './responses-request-schema.js';
import type { ConversationTurn } from './stored-response.js';

/** A Responses API request that passed every check and is ready to dispatch. */
export interface PreparedResponse {
  request: ResponsesRequest;
  /** The `image_generation` tool, when the request offers it. */
  tool?: ImageGenerationTool;
  generation: Omit<GenerationRequest, 'model'>;
  routes: ModelRoute[];
  projectId?: string;
  promptEstimate: number;
  /** Made before the run, so a stored response can be found by it while it runs. */
  responseId: string;
  /** Where a stored response's run stands (GET, cancel). */
  lifecycle: ResponseLifecycle;
  /** The text turns that led here, for the next turn's `previous_response_id`. */
  conversation: ConversationTurn[];
}

/** One response in flight: the exchange it arrived in, and the request it became. */
export interface ResponseExchange extends Exchange {
  readonly prepared: PreparedResponse;
}

/** Big data URLs of `input[i].content[j].image_url` are lifted out as bytes (see read-json-body.ts). */
function isResponsesImageUrlPath(path: JsonPath): boolean {
  return path.length === 5 && path[0] === 'input' && typeof path[1] === 'number' && path[2] === 'content' && path[4] === 'image_url';
}

/** Earlier output named by item id: not served; the whole previous turn is, by `previous_response_id`. */
function itemReferenceRefusal(param: string): never {
  throw invalidRequest(
    'An item_reference (an earlier output item by id) is not supported here; continue from a stored response with "previous_response_id", or send the whole conversation in "input".',
    param,
    'unsupported_value',
  );
}

/**
 * Everything before dispatch: read and validate the body, refuse what needs
 * stored responses, find capable routes, ingest the input images. All of it
 * happens before a stream opens, so bad input is always a plain 4xx.
 */
export async function prepareResponse(exchange: Exchange, context: SurfaceContext): Promise<PreparedResponse> {
  const { call, caller, deadline } = exchange;
  const body = await readJsonBody(
    call,
    context.options.maxBodyBytes,
    deadline,
    { liftAt: isResponsesImageUrlPath },
    context.options.requestLimits,
  );
  checkItemTypes(body);
  const request = parseRequest(responsesRequestSchema, body, '"model" and "input"');
  if (request.background === true && request.store === false) {
    throw invalidRequest(
      'background: true needs the response stored, to be polled by id; leave out "store": false (stored is the default).',
      'store',
    );
  }
  const projectId = projectIdOf(call, request.project_id, context.options.requireProjectId);
  checkModelServes(context.generation, request.model, 'responses');

  const own: ResponsesMessage[] = typeof request.input === 'string' ? [{ role: 'user', content: request.input }] : request.input;
  const previous = request.previous_response_id ? await previousResponse(context, caller, request.previous_response_id) : undefined;
  const messages = previous ? continueFrom(previous, own) : own;
  const references = imageReferences(messages);
  const lastUser = messages.findLastIndex((message) => message.role === 'user');
  const inputIndexes = references.flatMap((reference, index) => (reference.messageIndex === lastUser ? [index] : []));
  const tool = request.tools?.find((candidate) => candidate.type === 'image_generation');
  const forced = request.tool_choice === 'required' || (typeof request.tool_choice === 'object' && request.tool_choice !== null);
  const prompt = lastUser >= 0 ? messageText(messages[lastUser] as ResponsesMessage) : '';
  const wish = {
    modalities: tool && forced ? ['image', 'text'] : request.tool_choice === 'none' ? ['text'] : undefined,
    model: request.model,
    routes: context.generation.lookup(request.model).routes,
    imageOptions: false,
    prompt,
    hasInputImages: inputIndexes.length > 0,
  };
  const wantsImage = wantsImageOutput(wish);
  // A forced image_generation tool call must draw; otherwise only a clear drawing request makes a text answer an error.
  const required = wantsImage && (Boolean(tool && forced) || imageRequired(wish));
  let characters = request.instructions?.length ?? 0;
  for (const message of messages) characters += messageText(message).length;
  const promptEstimate = estimatePromptTokens(characters, references.length);
  const plan = context.generation.plan(request.model, {
    imageOutput: wantsImage,
    imageInputs: references.length,
    tools: false,
    jsonMode: false,
    promptTokens: promptEstimate,
    images: 1,
  });
  const images =
    references.length === 0
      ? []
      : await context.ingester.ingest(references, deadline.signal, { format: context.generation.inputFormatFor(plan.routes) });
  const firstRoute = plan.routes[0];
  const identity = newResponseIdentity(request.model === 'auto' && firstRoute ? firstRoute.model.id : request.model, context.now());
  return {
    request,
    responseId: identity.id,
    lifecycle: new ResponseLifecycle(identity, { request, promptEstimate }),
    conversation: conversationOf(previous, own),
    tool,
    generation: toGeneration(request, messages, tool, {
      requestId: caller.requestId,
      references,
      images,
      inputIndexes,
      prompt,
      wantsImage,
      imageRequired: required,
      suffix: plan.suffix,
    }),
    routes: plan.routes,
    projectId,
    promptEstimate,
  };
}

/** Items other than messages: earlier output given back by id needs the results store; the rest is not served here. */
function checkItemTypes(body: unknown): void {
  const input = (body as { input?: unknown } | null)?.input;
  if (!Array.isArray(input)) return;
  input.forEach((item, index) => {
    const type = (item as { type?: unknown } | null)?.type;
    if (type === undefined || type === 'message') return;
    if (type === 'item_reference') itemReferenceRefusal(`input[${index}]`);
    throw invalidRequest(
      `Invalid 'input[${index}].type': item type ${JSON.stringify(type)} is not supported here; send message items {role, content} with "input_text" and "input_image" parts.`,
      `input[${index}].type`,
    );
  });
}

function imageReferences(messages: readonly ResponsesMessage[]): ImageReference[] {
  const references: ImageReference[] = [];
  messages.forEach((message, messageIndex) => {
    if (typeof message.content === 'string') return;
    message.content.forEach((part, partIndex) => {
      if (part.type !== 'input_image' || part.image_url == null) return;
      references.push({
        url: part.image_url,
        param: `input[${messageIndex}].content[${partIndex}].image_url`,
        messageIndex,
        partIndex,
        origin: message.role === 'assistant' ? 'assistant' : 'user',
      });
    });
  });
  return references;
}

function messageText(message: ResponsesMessage): string {
  if (typeof message.content === 'string') return message.content.trim();
  const texts: string[] = [];
  for (const part of message.content) if (part.type === 'input_text' || part.type === 'output_text') texts.push(part.text);
  return texts.join('\n').trim();
}

interface ConversionFacts {
  requestId: string;
  references: readonly ImageReference[];
  images: readonly ImageData[];
  inputIndexes: readonly number[];
  prompt: string;
  wantsImage: boolean;
  imageRequired: boolean;
  suffix?: { imageSize?: string; aspectRatio?: string };
}

function toGeneration(
  request: ResponsesRequest,
  items: readonly ResponsesMessage[],
  tool: ImageGenerationTool | undefined,
  facts: ConversionFacts,
): Omit<GenerationRequest, 'model'> {
  const system: string[] = request.instructions ? [request.instructions] : [];
  const messages: ConversationMessage[] = [];
  if (request.instructions) messages.push({ role: 'system', text: request.instructions, images: [] });
  items.forEach((item, index) => {
    const role = item.role === 'developer' ? 'system' : item.role;
    const text = messageText(item);
    if (role === 'system') system.push(text);
    const images: ImageData[] = [];
    facts.references.forEach((reference, position) => {
      const image = facts.images[position];
      if (reference.messageIndex === index && image) images.push(image);
    });
    messages.push({ role, text, images });
  });
  const inputImages: ImageData[] = [];
  for (const index of facts.inputIndexes) {
    const image = facts.images[index];
    if (image) inputImages.push(image);
  }
  const stream = request.stream ?? false;
  return {
    requestId: facts.requestId,
    prompt: facts.prompt,
    system: system.length > 0 ? system.join('\n\n') : undefined,
    messages,
    inputImages,
    n: 1,
    size: tool?.size && tool.size !== 'auto' ? parseImageSize(tool.size) : undefined,
    aspectRatio: facts.suffix?.aspectRatio,
    imageSize: facts.suffix?.imageSize,
    quality: tool?.quality ?? undefined,
    background: tool?.background ?? undefined,
    outputFormat: tool?.output_format ?? undefined,
    outputCompression: tool?.output_compression ?? undefined,
    moderation: tool?.moderation ?? undefined,
    inputFidelity: tool?.input_fidelity ?? undefined,
    partialImages: stream ? (tool?.partial_images ?? 0) : undefined,
    user: request.user ?? undefined,
    temperature: request.temperature ?? undefined,
    maxTokens: request.max_output_tokens ?? undefined,
    wantsImage: facts.wantsImage,
    imageRequired: facts.imageRequired,
    stream,
    extra: {},
  };
}
