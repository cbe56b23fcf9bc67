import type { ModelRoute } from './routing/model-registry.js';

const drawVerb = /\b(draw|paint|sketch|illustrate|render|generate|create|make|design|produce|imagine|show me)\b/i;
const pictureNoun =
  /\b(images?|pictures?|photos?|photographs?|drawings?|paintings?|illustrations?|logos?|icons?|posters?|wallpapers?|artworks?|art|portraits?|scenes?|sketch(es)?|banners?|avatars?|landscapes?)\b/i;

/**
 * True when a text clearly asks for a picture although the request did not
 * say so (no `modalities`, no image-only model): it starts with a drawing verb
 * ("draw a cat"), pairs a verb with a picture word ("can you make a poster"),
 * says "picture of", or asks in Chinese (画, 生成…图). One of the signals
 * `wantsImageOutput` weighs.
 *
 * @example
 * textAsksForImage('Draw a cute cat'); // true
 * textAsksForImage('What is the capital of France?'); // false
 */
function textAsksForImage(text: string): boolean {
  if (/^\s*(please\s+)?(draw|paint|sketch|illustrate|generate|render|imagine)\b/i.test(text)) return true;
  if (explicitPicture.test(text)) return true;
  if (/画|生成.{0,12}图|图片|照片/.test(text)) return true;
  // "How do I create a Docker image?" asks how to do something, not for a picture.
  if (instructionalQuestion.test(text)) return false;
  const verb = drawVerb.exec(text);
  return verb !== null && pictureNoun.test(text.slice(verb.index));
}

/** Words that ask for a picture whatever the sentence around them: a drawing verb, or "image of". */
const explicitPicture = /\b(draw|paint|sketch|illustrate)\b|\b(image|picture|photo|illustration|drawing|painting|portrait) of\b/i;
/** A question about how to do something, or what something is: "how do I…", "what is the best way to…". */
const instructionalQuestion =
  /^\s*(how|what|which|why|where|when|is there|are there)\b|^\s*(can|could|should|do|does)\s+(i|we|you|one)\s+(\w+\s+)?(create|make|generate|produce|design|render|use|build|get|export|convert)\b.*\b(in|with|using|from|for|to)\b/i;

const editVerbs =
  /\b(make it|make this|turn it|turn this|change|convert|edit|brighten|brighter|darker|darken|blur|sharpen|rotate|flip|mirror|invert|crop|tint|saturate|vibrant|grayscale|greyscale|black and white|colou?r|remove|add|replace|enhance|restyle)\b/i;

/**
 * Whether text that comes with an attached image asks to change it ("make it
 * brighter") rather than describe it ("what is in this image?"). Narrower than
 * `readsAsEdit` in image-references.ts, which judges a follow-up without an
 * image, where any back-reference ("this", "it") means the previous picture.
 */
function textAsksForEdit(text: string): boolean {
  return editVerbs.test(text);
}

const questionStart =
  /^(what|what's|whats|who|whom|whose|why|how|when|where|which|is|are|am|was|were|do|does|did|can|could|would|will|should|shall|may|might|have|has|tell me|explain)\b/i;
const greeting =
  /^(hi|hello|hey|hiya|howdy|yo|greetings|good (morning|afternoon|evening|day|night)|thanks|thank you|thx|bye|goodbye|你好|您好|嗨|谢谢)(\s+(there|all|everyone|again|so much|a lot))?$/i;

/**
 * Whether a text is clearly conversation rather than something to draw: a
 * greeting on its own ("hello!", "thanks"), or a question without a drawing
 * verb (it has a "?" or starts with a question word such as "what",
 * "how", "can", "is", "tell me" or "explain"; "can you draw a cat?" draws). What an image model
 * answers in text; everything else it draws ("a red circle").
 *
 * @example
 * readsAsConversation('hello!'); // true
 * readsAsConversation('What can you do?'); // true
 * readsAsConversation('a cozy cabin in snowy mountains at dusk'); // false
 */
export function readsAsConversation(text: string): boolean {
  // Only the start and the end are read: a text of any length costs a few regex steps.
  const trimmed = text.trim();
  if (trimmed === '') return true;
  const bare = trimmed.replace(/[\s!.,~。！，?？]+$/u, '');
  if (bare.length <= 40 && greeting.test(bare)) return true;
  if (!/[?？]/.test(trimmed) && !questionStart.test(trimmed)) return false;
  return !drawVerb.test(trimmed);
}

/** What a request says, one way or another, about wanting an image back. */
export interface ImageWish {
  /** The output modalities the client named (`modalities`), when it named any. */
  modalities?: readonly string[] | null;
  /** The model the client asked for, and what the name leads to. */
  model: string;
  routes: readonly ModelRoute[];
  /** The client gave a size, an aspect ratio or other image options. */
  imageOptions: boolean;
  /** The instruction: the text of the last user message. */
  prompt: string;
  hasInputImages: boolean;
}

/**
 * The one place that decides whether an image is wanted. Explicit signals
 * first (`modalities`, a model that only draws, image options), then the
 * words: "generate a cat" draws, "make it brighter" with an image edits,
 * "what is in this image?" answers in text. An image model the client named
 * draws what it is given ("a red circle") unless the text reads as
 * conversation (`readsAsConversation`: a greeting, or a question). Providers read the verdict as
 * `GenerationRequest.wantsImage`, so routing, the answer and the engine
 * never disagree.
 *
 * @example
 * wantsImageOutput({ model: 'auto', routes, imageOptions: false, prompt: 'Draw a cat', hasInputImages: false }); // true
 */
export function wantsImageOutput(wish: ImageWish): boolean {
  if (wish.modalities) return wish.modalities.includes('image');
  const onlyDraws = (route: ModelRoute) => route.model.capabilities.imageOutput && !route.model.capabilities.text;
  if (wish.model !== 'auto' && wish.routes.length > 0 && wish.routes.every(onlyDraws)) return true;
  if (wish.imageOptions) return true;
  if (wish.hasInputImages) return textAsksForEdit(wish.prompt) || textAsksForImage(wish.prompt);
  if (textAsksForImage(wish.prompt)) return true;
  const draws = (route: ModelRoute) => route.model.capabilities.imageOutput;
  return wish.model !== 'auto' && wish.routes.length > 0 && wish.routes.every(draws) && !readsAsConversation(wish.prompt);
}

/**
 * Whether the request cannot be answered without an image: only then is a
 * text answer an error (`NO_IMAGE`), does a stream hold the model's text
 * until the image, and does a text answer count against the instance's
 * health. Narrower than `wantsImageOutput`, which only hints providers to
 * ask for the image modality: a model that can also chat may answer
 * "What is the capital of France?" in text although `modalities` names
 * `image`. Required on strong signals alone: `modalities` names `image`
 * without `text`; every route of the named model only draws; image options
 * (`size`, `aspect_ratio`, `image_config`); or words that clearly ask for a
 * picture and do not read as conversation, unless they name a drawing
 * ("can you draw a cat?" requires one; "Can you generate a list of image
 * formats?" does not).
 *
 * @example
 * imageRequired({ modalities: ['image', 'text'], model: 'gpt-4o', routes, imageOptions: false, prompt: 'draw a red cat', hasInputImages: false }); // true
 * imageRequired({ modalities: ['image', 'text'], model: 'gpt-4o', routes, imageOptions: false, prompt: 'What is the capital of France?', hasInputImages: false }); // false
 */
export function imageRequired(wish: ImageWish): boolean {
  if (wish.modalities) {
    if (!wish.modalities.includes('image')) return false;
    if (!wish.modalities.includes('text')) return true;
  }
  const onlyDraws = (route: ModelRoute) => route.model.capabilities.imageOutput && !route.model.capabilities.text;
  if (wish.model !== 'auto' && wish.routes.length > 0 && wish.routes.every(onlyDraws)) return true;
  if (wish.imageOptions) return true;
  const prompt = wish.prompt.trim();
  const question = /[?？]/.test(prompt) || questionStart.test(prompt);
  if ((question || readsAsConversation(prompt)) && !explicitPicture.test(prompt)) return false;
  if (wish.hasInputImages && textAsksForEdit(prompt)) return true;
  return textAsksForImage(prompt);
}
