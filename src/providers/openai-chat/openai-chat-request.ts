import type { ImageData } from '../../images/image-data.js';
import { dataUrlPieces } from '../../images/image-json-pieces.js';
import type { Piece } from '../../lib/body-pieces.js';
import { PayloadSlots } from '../../lib/json/json-payload-slots.js';
import type { ConversationMessage, GenerationRequest, ModelInfo } from '../../provider.js';
import type { OpenAIChatSettings } from './openai-chat-settings.js';

/**
 * The chat completion request a relay receives: the conversation with
 * images as `image_url` data URLs, the sampling and tool fields the client
 * sent, the fields of `request.extra` (which the surface filled from an
 * allow-list: see `forwardedChatFields` and the `forwardFields` option), and for image models `modalities`
 * and the size hints relays understand. Input images are written into the
 * body as pieces beside the JSON text, never serialised into it nor joined:
 * five 4 MP images would otherwise be 10 MB of JSON.stringify, 10 MB more
 * when the HTTP client encodes the string, and one more 10 MB copy to join.
 *
 * @example
 * const body = buildChatBody(request, model, settings); // JSON text, or the pieces of it when it carries images
 */
export function buildChatBody(request: GenerationRequest, model: ModelInfo, settings: OpenAIChatSettings): string | Piece[] {
  const imageModel = model.capabilities.imageOutput;
  const slots = new PayloadSlots();
  const body: Record<string, unknown> = {};
  // Fields the gateway does not interpret go first so the ones it built win; a name that would reach a prototype never goes.
  for (const name of Object.keys(request.extra)) if (!prototypeNames.has(name)) body[name] = request.extra[name];
  body.model = model.id;
  body.messages = chatMessages(request, slots);
  if (request.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  setIfDefined(body, 'temperature', request.temperature);
  // A client's max_completion_tokens came in `extra` as sent; reasoning models refuse max_tokens beside or instead of it.
  if (body.max_completion_tokens === undefined || body.max_completion_tokens === null) setIfDefined(body, 'max_tokens', request.maxTokens);
  setIfDefined(body, 'seed', request.seed);
  setIfDefined(body, 'tools', request.tools);
  setIfDefined(body, 'tool_choice', request.toolChoice);
  setIfDefined(body, 'response_format', request.responseFormat);
  if (imageModel && request.wantsImage && settings.modalities) body.modalities = ['image', 'text'];
  if (imageModel && settings.imageOptions) {
    if (request.size) body.size = `${request.size.width}x${request.size.height}`;
    if (request.aspectRatio || request.imageSize) {
      const imageConfig: Record<string, string> = {};
      if (request.aspectRatio) imageConfig.aspect_ratio = request.aspectRatio;
      if (request.imageSize) imageConfig.image_size = request.imageSize;
      body.image_config = imageConfig;
    }
  }
  const pieces = slots.stringify(body);
  return pieces.length === 1 && typeof pieces[0] === 'string' ? pieces[0] : pieces;
}

/**
 * OpenAI accepts images only in user turns, so images of earlier assistant
 * turns are not replayed; when the image to edit came from one, it is
 * attached to the last user message instead.
 */
function chatMessages(request: GenerationRequest, slots: PayloadSlots): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [];
  if (request.system && !request.messages.some((message) => message.role === 'system')) {
    messages.push({ role: 'system', content: request.system });
  }
  const lastUser = request.messages.findLastIndex((message) => message.role === 'user');
  request.messages.forEach((message, index) => {
    let images = message.role === 'user' ? message.images : [];
    if (index === lastUser && images.length === 0) images = request.inputImages;
    messages.push(chatMessage(message, images, slots));
  });
  return messages;
}

function chatMessage(message: ConversationMessage, images: readonly ImageData[], slots: PayloadSlots): Record<string, unknown> {
  const entry: Record<string, unknown> = { role: message.role };
  if (images.length === 0) entry.content = message.text;
  else {
    const parts: unknown[] = message.text ? [{ type: 'text', text: message.text }] : [];
    for (const image of images) parts.push({ type: 'image_url', image_url: { url: slots.slot(dataUrlPieces(image)) } });
    entry.content = parts;
  }
  if (message.name) entry.name = message.name;
  if (message.role === 'tool' && message.toolCallId) entry.tool_call_id = message.toolCallId;
  if (message.toolCalls && message.toolCalls.length > 0) {
    entry.tool_calls = message.toolCalls;
    if (!message.text) entry.content = null;
  }
  return entry;
}

function setIfDefined(body: Record<string, unknown>, name: string, value: unknown): void {
  if (value !== undefined && value !== null) body[name] = value;
}

const prototypeNames = new Set(['__proto__', 'constructor', 'prototype']);
