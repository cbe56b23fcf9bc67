/** Identity shared by a completion and all its chunks. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

export function newCompletionIdentity(model: string, now: number = Date.now()): CompletionIdentity {
  // randomUUID draws from a cached entropy pool: cheaper per request than getRandomValues + hex formatting.
  return { id: `chatcmpl-${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`, created: Math.floor(now / 1000), model };
}
