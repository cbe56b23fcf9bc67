import { knownInstructions } from './local-instructions.js';

/** The answer to plain conversation: the engine cannot chat, so it says what it can do. */
export const conversationReply =
  "I'm the gateway's built-in local engine: I draw pictures and edit images, but I don't hold conversations. " +
  'Ask me to "draw a lighthouse at dusk", or attach an image with an instruction such as "make it black and white", ' +
  '"rotate 90 degrees" or "crop to 16:9".';

/**
 * The note that comes with the image when no instruction was recognised;
 * `applied` lists what the request's own aspect ratio or size still changed.
 */
export function unknownInstructionNote(prompt: string, applied: readonly string[] = []): string {
  const quoted = prompt.trim() ? `"${prompt.trim().slice(0, 120)}"` : 'the request';
  const outcome = applied.length > 0 ? `only the requested ${applied.join(', ')} was applied` : 'the image is returned unchanged';
  return `I couldn't find an edit I know in ${quoted}, so ${outcome}. I understand: ${knownInstructions.join('; ')}.`;
}

/** The note that comes with an edited image. */
export function appliedNote(applied: readonly string[]): string {
  return `Applied: ${applied.join(', ')}.`;
}

const drawVerb = /\b(draw|paint|sketch|illustrate|render|generate|create|make|design|produce|imagine|show me)\b/i;
const pictureNoun =
  /\b(images?|pictures?|photos?|photographs?|drawings?|paintings?|illustrations?|logos?|icons?|posters?|wallpapers?|artworks?|art|portraits?|scenes?|sketch(es)?|banners?|avatars?|landscapes?)\b/i;

/**
 * True when a text clearly asks for a picture even though the request did
 * not say so: it starts with a drawing verb ("draw a cat"), pairs a verb with
 * a picture word ("can you make a poster"), says "picture of", or asks in
 * Chinese (画, 生成…图).
 *
 * @example
 * asksForPicture('Draw a cute cat'); // true
 * asksForPicture('What is the capital of France?'); // false
 */
export function asksForPicture(text: string): boolean {
  if (/^\s*(please\s+)?(draw|paint|sketch|illustrate|generate|render|imagine)\b/i.test(text)) return true;
  if (/\b(image|picture|photo|illustration|drawing|painting|portrait) of\b/i.test(text)) return true;
  if (/画|生成.{0,12}图|图片|照片/.test(text)) return true;
  const verb = drawVerb.exec(text);
  return verb !== null && pictureNoun.test(text.slice(verb.index));
}
