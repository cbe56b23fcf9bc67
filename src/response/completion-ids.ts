/** Identity shared by a completion and all its chunks. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

export function newCompletionIdentity(model: string, now: number = Date.now()): CompletionIdentity {
  const random = crypto.getRandomValues(new Uint8Array(12));
  const id = `chatcmpl-${Array.from(random, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
  return { id, created: Math.floor(now / 1000), model };
}
