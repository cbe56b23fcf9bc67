import { SecretEchoes } from '../lib/secret-echoes.js';
import { redactedMark } from '../lib/secret-redaction.js';
import type { GenerationEvent } from '../provider.js';

/** Where a piece of model text goes: the answer, the reasoning, or a tool call's arguments (by index). */
type TextChannel = 'text' | 'reasoning' | number;

/**
 * Takes the gateway's own credentials out of what a model says. A relay that
 * echoes the Authorization header it received into its answer, broken or
 * hostile, would otherwise hand the gateway's key to every client. Only the
 * configured values are matched, never key shapes: a model explaining what
 * an `sk-…` key looks like must read as it wrote. A key is found whole, in
 * part, reversed or encoded (`SecretEchoes`).
 *
 * In a stream a key may be split across deltas, so the end of a delta that
 * could begin or continue one is held back until the next delta (or the
 * finish) settles it. Text with no such end passes at once, unchanged.
 *
 * @example
 * const filter = new OutputSecretFilter(['relaykeyNOPREFIX9876']);
 * filter.take({ type: 'text-delta', text: 'key relaykeyNOP' }); // [{ type: 'text-delta', text: 'key ' }]
 * filter.take({ type: 'text-delta', text: 'REFIX9876!' });      // [{ type: 'text-delta', text: '[redacted]!' }]
 */
export class OutputSecretFilter {
  readonly #echoes: SecretEchoes;
  readonly #held = new Map<TextChannel, string>();

  /** `secrets` as `redactableSecrets` gives them: distinct, long enough, longest first. */
  constructor(secrets: readonly string[]) {
    this.#echoes = echoesOf(secrets);
  }

  /** The events to pass on for `event`: none while its text is held, or the held text before an image or the finish. */
  take(event: GenerationEvent): GenerationEvent[] {
    switch (event.type) {
      case 'text-delta':
      case 'reasoning-delta': {
        const text = this.#pass(event.type === 'text-delta' ? 'text' : 'reasoning', event.text);
        return text === '' ? [] : [{ type: event.type, text }];
      }
      case 'tool-call-delta': {
        if (event.arguments === undefined) return [event];
        const text = this.#pass(event.index, event.arguments);
        // The first delta of a call names it: it goes on even when its arguments are held.
        if (text === '' && event.id === undefined && event.name === undefined) return [];
        return [{ ...event, arguments: text }];
      }
      // A key does not run on past an image: held text goes out first, so the answer keeps its order.
      case 'image':
      case 'image-partial':
      case 'finish':
        return this.#held.size === 0 ? [event] : [...this.flush(), event];
      default:
        return [event];
    }
  }

  /** Whatever is still held, as the events it came in; for the end of an attempt. */
  flush(): GenerationEvent[] {
    const events: GenerationEvent[] = [];
    for (const [channel, held] of this.#held) {
      // What was held may end with a whole echo: nothing more comes to complete it.
      const text = this.#echoes.redact(held, redactedMark);
      if (channel === 'text') events.push({ type: 'text-delta', text });
      else if (channel === 'reasoning') events.push({ type: 'reasoning-delta', text });
      else events.push({ type: 'tool-call-delta', index: channel, arguments: text });
    }
    this.#held.clear();
    return events;
  }

  /** Forgets held text: a failed attempt's output is dropped, and so is what it held. */
  reset(): void {
    this.#held.clear();
  }

  #pass(channel: TextChannel, text: string): string {
    const held = this.#held.get(channel);
    const whole = held === undefined ? text : held + text;
    // The held end stays as received: an echo it starts is redacted whole once the rest of it arrives.
    const holding = this.#echoes.heldEnd(whole);
    if (holding === 0) {
      this.#held.delete(channel);
      return this.#echoes.redact(whole, redactedMark);
    }
    this.#held.set(channel, whole.slice(whole.length - holding));
    return this.#echoes.redact(whole.slice(0, whole.length - holding), redactedMark);
  }
}

/** One SecretEchoes per list of secrets: the gateway passes the same list to every request's filter. */
const echoesByList = new WeakMap<readonly string[], SecretEchoes>();

function echoesOf(secrets: readonly string[]): SecretEchoes {
  let echoes = echoesByList.get(secrets);
  if (!echoes) {
    echoes = new SecretEchoes(secrets);
    echoesByList.set(secrets, echoes);
  }
  return echoes;
}
