import { randomHex } from '../../lib/random-hex.js';
/** Identity shared by a completion and all its chunks. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

/** A new completion id: `chatcmpl-` and 24 random hex characters. */
export function newCompletionId(): string {
  return `chatcmpl-${randomHex(24)}`;
}

/** The identity of a completion; its id is made in advance when a stored completion must be found by it before it ends. */
export function newCompletionIdentity(model: string, now: number = Date.now(), id: string = newCompletionId()): CompletionIdentity {
  return { id, created: Math.floor(now / 1000), model };
}
