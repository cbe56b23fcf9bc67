import type { UsageEvent } from './usage-event.js';

export interface UsageCounters {
  requests: number;
  failed: number;
  images: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/**
 * Per-project and per-key counters, kept in memory for `gateway.stats()`.
 * Maps, because project ids come from clients: "__proto__" must be a name
 * like any other, not a way into Object.prototype.
 */
export class UsageCounterTable {
  readonly #projects = new Map<string, UsageCounters>();
  readonly #keys = new Map<string, UsageCounters>();

  record(event: UsageEvent): void {
    if (event.projectId) add(this.#projects, event.projectId, event);
    if (event.keyId) add(this.#keys, event.keyId, event);
  }

  /** Counters per project id, as a plain object for stats(). */
  projects(): Record<string, UsageCounters> {
    return Object.fromEntries(this.#projects);
  }

  /** Counters per key id, as a plain object for stats(). */
  keys(): Record<string, UsageCounters> {
    return Object.fromEntries(this.#keys);
  }
}

function add(table: Map<string, UsageCounters>, name: string, event: UsageEvent): void {
  const counters = table.get(name) ?? { requests: 0, failed: 0, images: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  table.set(name, counters);
  counters.requests += 1;
  if (event.status >= 400) counters.failed += 1;
  counters.images += event.images;
  counters.promptTokens += event.promptTokens;
  counters.completionTokens += event.completionTokens;
  counters.totalTokens += event.totalTokens;
}
