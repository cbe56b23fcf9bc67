import type { ImageData } from '../../images/image-data.js';
import { parseImageSize } from '../../images/image-geometry.js';
import type { ImageInputPlan } from '../../images/ingest/image-ingest-types.js';
import type { ConversationMessage, GenerationRequest, MessageRole } from '../../provider.js';
import type { ChatMessage, ChatRequest } from './chat-request-schema.js';
import { withoutMarkdownImages } from './markdown-images.js';

export interface NormalizeContext {
  requestId: string;
  plan: ImageInputPlan;
  /** Ingested images, parallel to `plan.references`. */
  images: readonly ImageData[];
  wantsImage: boolean;
  /** Whether a text answer is an error (see `imageRequired` in image-intent.ts). */
  imageRequired: boolean;
  /** Hints read from a model-name suffix (`-2k-16x9`). */
  suffix?: { imageSize?: string; aspectRatio?: string };
  /** Fields beyond `forwardedChatFields` to pass on in `extra` (the `forwardFields` option). */
  forwardFields?: readonly string[];
}

/**
 * The fields of OpenAI's chat request that an OpenAI-compatible relay
 * understands and the gateway passes on as sent, in `extra`: sampling
 * fields, legacy function calling (`functions`, `function_call`), and the
 * fields a relay must see as the client wrote them although the gateway also
 * reads them for other providers: `max_completion_tokens` (reasoning models
 * refuse `max_tokens`) and `reasoning_effort` (with `minimal`, which the
 * gateway's own levels round up). `seed`, `response_format`, `tools`,
 * `tool_choice`, `temperature` and `max_tokens` travel as request fields; `n`
 * is the number of images the gateway itself asks for.
 * Everything else a client sends and the gateway does not read is dropped,
 * unless the `forwardFields` option names it: `user`, `metadata`, `store`,
 * `safety_identifier` and `prompt_cache_key` identify or keep the gateway's
 * clients' data upstream, and unknown fields (`constructor`, objects of a
 * thousand keys) are nobody's business upstream.
 */
export const forwardedChatFields: readonly string[] = [
  'top_p',
  'stop',
  'frequency_penalty',
  'presence_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'parallel_tool_calls',
  'verbosity',
  'functions',
  'function_call',
  'max_completion_tokens',
  'reasoning_effort',
  'service_tier',
  'prediction',
  'web_search_options',
];

/**
 * Reduces a validated chat request to what providers need. The `model`
 * field is filled per attempt by the dispatcher (each route has its own id).
 */
export function normalizeRequest(request: ChatRequest, context: NormalizeContext): Omit<GenerationRequest, 'model'> {
  const imagesByMessage = new Map<number, ImageData[]>();
  context.plan.references.forEach((reference, index) => {
    const image = context.images[index];
    if (!image) return;
    const list = imagesByMessage.get(reference.messageIndex) ?? [];
    list.push(image);
    imagesByMessage.set(reference.messageIndex, list);
  });

  const system: string[] = [];
  const messages: ConversationMessage[] = [];
  request.messages.forEach((message, index) => {
    const role: MessageRole = message.role === 'developer' ? 'system' : message.role;
    const text = messageText(message);
    if (role === 'system') system.push(text);
    messages.push({
      role,
      text,
      images: imagesByMessage.get(index) ?? [],
      name: message.name,
      toolCallId: message.tool_call_id,
      toolCalls: message.tool_calls,
    });
  });

  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const size = request.size && request.size !== 'auto' ? parseImageSize(request.size) : undefined;
  // Only named fields are looked up: a request's own keys are never walked or copied wholesale.
  const extra: Record<string, unknown> = {};
  const fields = request as Record<string, unknown>;
  for (const name of forwardedChatFields) if (Object.hasOwn(fields, name)) extra[name] = fields[name];
  for (const name of context.forwardFields ?? []) if (Object.hasOwn(fields, name)) extra[name] = fields[name];

  return {
    requestId: context.requestId,
    prompt: lastUser?.text ?? '',
    system: system.length > 0 ? system.join('\n\n') : undefined,
    messages,
    inputImages: context.plan.inputIndexes.map((index) => context.images[index]).filter((image) => image !== undefined),
    n: request.n ?? 1,
    size,
    aspectRatio: request.aspect_ratio ?? request.image_config?.aspect_ratio ?? context.suffix?.aspectRatio,
    imageSize: request.image_config?.image_size ?? context.suffix?.imageSize,
    quality: request.quality ?? undefined,
    background: request.background ?? undefined,
    outputFormat: request.output_format ?? undefined,
    seed: request.seed ?? undefined,
    temperature: request.temperature ?? undefined,
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    wantsImage: context.wantsImage,
    imageRequired: context.imageRequired,
    tools: request.tools ?? undefined,
    toolChoice: request.tool_choice ?? undefined,
    responseFormat: request.response_format ?? undefined,
    reasoningLevel: request.min_reasoning_level ?? reasoningFromEffort(request.reasoning_effort),
    stream: request.stream,
    extra,
  };
}

/** The text of a message with markdown images taken out (they travel as images). */
export function messageText(message: ChatMessage): string {
  if (typeof message.content === 'string') return withoutMarkdownImages(message.content).trim();
  if (!Array.isArray(message.content)) return '';
  return message.content
    .filter((part) => part.type === 'text')
    .map((part) => (part as { text: string }).text)
    .join('\n')
    .trim();
}

function reasoningFromEffort(effort: string | null | undefined): GenerationRequest['reasoningLevel'] {
  if (effort === 'low' || effort === 'medium' || effort === 'high') return effort;
  return effort === 'minimal' ? 'low' : undefined;
}
