import { randomHex } from '../../lib/random-hex.js';
/** Identity shared by a completion and all its chunks. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

export function newCompletionIdentity(model: string, now: number = Date.now()): CompletionIdentity {
  return { id: `chatcmpl-${randomHex(24)}`, created: Math.floor(now / 1000), model };
}
