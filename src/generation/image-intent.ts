const drawVerb = /\b(draw|paint|sketch|illustrate|render|generate|create|make|design|produce|imagine|show me)\b/i;
const pictureNoun =
  /\b(images?|pictures?|photos?|photographs?|drawings?|paintings?|illustrations?|logos?|icons?|posters?|wallpapers?|artworks?|art|portraits?|scenes?|sketch(es)?|banners?|avatars?|landscapes?)\b/i;

/**
 * True when a text clearly asks for a picture although the request did not
 * say so (no `modalities`, no image-only model): it starts with a drawing verb
 * ("draw a cat"), pairs a verb with a picture word ("can you make a poster"),
 * says "picture of", or asks in Chinese (画, 生成…图). The gateway and the
 * local engine ask this one function, so they never disagree.
 *
 * @example
 * textAsksForImage('Draw a cute cat'); // true
 * textAsksForImage('What is the capital of France?'); // false
 */
export function textAsksForImage(text: string): boolean {
  if (/^\s*(please\s+)?(draw|paint|sketch|illustrate|generate|render|imagine)\b/i.test(text)) return true;
  if (/\b(image|picture|photo|illustration|drawing|painting|portrait) of\b/i.test(text)) return true;
  if (/画|生成.{0,12}图|图片|照片/.test(text)) return true;
  const verb = drawVerb.exec(text);
  return verb !== null && pictureNoun.test(text.slice(verb.index));
}

const editVerbs =
  /\b(make it|make this|turn it|turn this|change|convert|edit|brighten|brighter|darker|darken|blur|sharpen|rotate|flip|mirror|invert|crop|tint|saturate|vibrant|grayscale|greyscale|black and white|colou?r|remove|add|replace|enhance|restyle)\b/i;

/**
 * Whether text that comes with an attached image asks to change it ("make it
 * brighter") rather than describe it ("what is in this image?"). Narrower than
 * `readsAsEdit` in image-references.ts, which judges a follow-up without an
 * image, where any back-reference ("this", "it") means the previous picture.
 */
export function textAsksForEdit(text: string): boolean {
  return editVerbs.test(text);
}
