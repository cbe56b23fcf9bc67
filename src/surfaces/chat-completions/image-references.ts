import type { ImageInputPlan, ImageReference } from '../../images/ingest/image-ingest-types.js';
import { LiftedString } from '../../lib/json/json-lifted-string.js';
import { isHostedImageLink } from '../shared/image-file-links.js';
import type { ChatContentPart, ChatMessage, ChatRequest } from './chat-request-schema.js';
import { findMarkdownImages, type MarkdownImage, withoutMarkdownImages } from './markdown-images.js';

export type { ImageInputPlan, ImageReference };

type ImageUrlPart = Extract<ChatContentPart, { type: 'image_url' }>;

/**
 * The head of `![alt](data:image/png;base64,...)`, the way this gateway (and
 * seed 000) returns images in `content`. Only the head is matched: the
 * base64 is checked once, when the image is ingested.
 */
const dataImageHead = /^data:image\/[\w.+-]+;base64,/;

/** "draw a cat", "generate an image of ...": a new picture, not a change to the last one. */
const freshRequest =
  /^\s*(?:(?:please|pls|now|ok|okay|and|can you|could you|would you|i want you to|let'?s)[\s,]+)*(?:generate|draw|create|paint|render|design|produce|imagine|sketch|illustrate|make|give me|show me)\s+(?:me\s+|us\s+)?(?:a|an|some|another|one|two|three|four|five|\d+|new)\b/i;
const freshRequestChinese = /^\s*(?:请|帮我|给我|再)*(?:画|生成|创建|绘制|做)(?:一|个|张|幅|只|新)/;
const backReference =
  /\b(?:it|its|this|that|these|those|the (?:image|picture|photo|pic|drawing|painting|result|same|one)|previous|above|same|last one)\b|(?:它|这张|这个|上一张|刚才|原图)/i;
const editVerb =
  /\b(?:make|change|turn|add|remove|replace|put|give|swap|erase|delete|crop|rotate|flip|mirror|resize|zoom|enlarge|shrink|blur|sharpen|brighten|darken|lighten|saturate|desaturate|tint|colou?ri[sz]e|recolou?r|convert|edit|fix|adjust|tweak|apply|keep|redo|increase|decrease|reduce|boost|enhance|extend|expand|move|place)\b|(?:把|让|改|换|加|去掉|删除|调|变)/i;
const comparative =
  /\b(?:brighter|darker|lighter|bigger|smaller|larger|wider|taller|warmer|cooler|sharper|softer|more|less|black and white|gr[ae]yscale|sepia|monochrome|instead|again)\b|更/i;

/**
 * Finds every image of a chat request and decides which of them this turn
 * edits. `references` holds every image the client sent in a user turn
 * (they travel as conversation history and count against `maxImages`), plus
 * at most one image of an earlier assistant turn: the one a follow-up such as
 * "make it brighter" edits. Other assistant images are not ingested, since
 * they are the gateway's own earlier output and the text history carries
 * their context.
 *
 * Inputs are the image parts of the last user message; when it has none and
 * its text reads as an edit of the previous picture (not a fresh "draw a
 * ..."), the most recent assistant image, or else the most recent image of
 * an earlier user turn.
 *
 * @example
 * const plan = planImageInputs(chatRequest);
 * const images = await ingester.ingest(plan.references, signal);
 * const inputs = plan.inputIndexes.map((index) => images[index]!);
 */
export function planImageInputs(request: ChatRequest): ImageInputPlan {
  const references: ImageReference[] = [];
  let lastUser = -1;
  request.messages.forEach((message, messageIndex) => {
    if (message.role !== 'user') return;
    lastUser = messageIndex;
    references.push(...userImages(message, messageIndex));
  });
  const current = references.filter((reference) => reference.messageIndex === lastUser);
  if (current.length > 0 || lastUser < 0) return { references, inputIndexes: current.map((reference) => references.indexOf(reference)) };

  if (!readsAsEdit(messageText(request.messages[lastUser]!))) return { references, inputIndexes: [] };
  const previousAssistant = lastAssistantImage(request.messages.slice(0, lastUser));
  if (previousAssistant) {
    const position = references.findIndex((reference) => reference.messageIndex > previousAssistant.messageIndex);
    const at = position < 0 ? references.length : position;
    references.splice(at, 0, previousAssistant);
    return { references, inputIndexes: [at] };
  }
  return { references, inputIndexes: references.length > 0 ? [references.length - 1] : [] };
}

/** True when a follow-up's text asks to change the previous picture rather than for a new one. */
export function readsAsEdit(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed) return false;
  const fresh = (freshRequest.test(trimmed) || freshRequestChinese.test(trimmed)) && !backReference.test(trimmed);
  if (fresh) return false;
  return backReference.test(trimmed) || editVerb.test(trimmed) || comparative.test(trimmed);
}

/** Removes markdown data-URL images from assistant text, so history does not carry megabytes of base64. */
export function stripMarkdownImages(text: string): string {
  return withoutMarkdownImages(text, markdownDataImages(text)).trim();
}

/** The markdown images of a text whose URL is a base64 `data:image/...` URL. */
function markdownDataImages(text: string): MarkdownImage[] {
  return findMarkdownImages(text).filter((image) => dataImageHead.test(image.url.slice(0, 256)));
}

function userImages(message: ChatMessage, messageIndex: number): ImageReference[] {
  if (!Array.isArray(message.content)) return [];
  const found: ImageReference[] = [];
  message.content.forEach((part, partIndex) => {
    if (part.type !== 'image_url') return;
    const { url, isBare } = partImageUrl(part.image_url);
    const param = `messages[${messageIndex}].content[${partIndex}].image_url${isBare ? '' : '.url'}`;
    found.push({ url, param, messageIndex, partIndex, origin: 'user' });
  });
  return found;
}

/** The URL of an `image_url` part, given bare (a string, or one the body reader lifted) or as `{url}`. */
function partImageUrl(imageUrl: ImageUrlPart['image_url']): { url: string | LiftedString; isBare: boolean } {
  if (typeof imageUrl === 'string' || imageUrl instanceof LiftedString) return { url: imageUrl, isBare: true };
  return { url: imageUrl.url, isBare: false };
}

function lastAssistantImage(messages: readonly ChatMessage[]): ImageReference | undefined {
  for (let messageIndex = messages.length - 1; messageIndex >= 0; messageIndex--) {
    const message = messages[messageIndex]!;
    if (message.role !== 'assistant') continue;
    const images = assistantImages(message, messageIndex);
    if (images.length > 0) return images[images.length - 1];
  }
  return undefined;
}

/** Markdown images in `content` (string or text parts), `image_url` parts, then `images[]` (seed 004). */
function assistantImages(message: ChatMessage, messageIndex: number): ImageReference[] {
  const found: ImageReference[] = [];
  const base = `messages[${messageIndex}]`;
  const fromMarkdown = (text: string, param: string) => {
    // The gateway's own answers: data URLs, or links to its hosted files (URL delivery). Other links the model wrote are not fetched.
    const images = findMarkdownImages(text).filter((image) => dataImageHead.test(image.url.slice(0, 256)) || isHostedImageLink(image.url));
    for (const image of images) {
      found.push({ url: image.url, param, messageIndex, partIndex: found.length, origin: 'assistant' });
    }
  };
  if (typeof message.content === 'string') fromMarkdown(message.content, `${base}.content`);
  if (Array.isArray(message.content)) {
    message.content.forEach((part, partIndex) => {
      if (part.type === 'text') fromMarkdown(part.text, `${base}.content[${partIndex}].text`);
      else {
        const { url, isBare } = partImageUrl(part.image_url);
        const param = `${base}.content[${partIndex}].image_url${isBare ? '' : '.url'}`;
        found.push({ url, param, messageIndex, partIndex, origin: 'assistant' });
      }
    });
  }
  message.images?.forEach((image, imageIndex) => {
    if (!image.image_url.url) return;
    const param = `${base}.images[${imageIndex}].image_url.url`;
    found.push({ url: image.image_url.url, param, messageIndex, partIndex: imageIndex, origin: 'assistant' });
  });
  return found;
}

function messageText(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  if (!Array.isArray(message.content)) return '';
  return message.content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
}
