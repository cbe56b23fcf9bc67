import { UpstreamError } from '../../errors/upstream-error.js';
import type { FinishReason, GenerationEvent } from '../../provider.js';

/** Of the model's text, what a NO_IMAGE message quotes: enough to read why, never a whole essay. */
const quotedTextLimit = 1000;

/**
 * What one attempt produced, as far as "did it draw?" goes: whether an
 * image came, whether the model called a tool or was stopped by a content
 * filter instead (answers in their own right), and the start of its text,
 * which a NO_IMAGE error quotes.
 *
 * @example
 * const output = new AttemptOutput();
 * output.note(event); // for each event of the attempt
 * const error = output.missingImage('relay-a'); // an UpstreamError when an image was needed and none came
 */
export class AttemptOutput {
  #images = 0;
  #toolCalls = false;
  #finish: FinishReason | undefined;
  #text = '';

  note(event: GenerationEvent): void {
    if (event.type === 'image') this.#images += 1;
    else if (event.type === 'text-delta') {
      if (this.#text.length <= quotedTextLimit) this.#text += event.text.slice(0, quotedTextLimit + 1);
    } else if (event.type === 'tool-call-delta') this.#toolCalls = true;
    else if (event.type === 'finish') this.#finish = event.reason;
  }

  /**
   * The failure of an attempt that ended without the image the request
   * needs: NO_IMAGE, retryable on another instance, quoting the model's
   * text; a content filter's stop is that instead. Undefined when the
   * attempt drew, or answered with a tool call.
   */
  missingImage(provider: string): UpstreamError | undefined {
    if (this.#images > 0 || this.#toolCalls) return undefined;
    if (this.#finish === 'content_filter') {
      return new UpstreamError({ provider, kind: 'content_filter', message: 'the model stopped with finish_reason "content_filter"' });
    }
    const text = this.#text.trim();
    const quoted = text.length > quotedTextLimit ? `${text.slice(0, quotedTextLimit)}…` : text;
    return new UpstreamError({
      provider,
      kind: 'no_image',
      retryable: true,
      message: quoted ? `the model answered only with text: ${quoted}` : 'the model answered with neither an image nor text',
    });
  }
}
