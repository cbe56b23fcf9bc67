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
