import type { UsageEvent } from './usage-event.js';

export interface UsageCounters {
  requests: number;
  failed: number;
  images: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** How many distinct projects and key ids the tables track before they evict. */
export interface UsageTableLimits {
  maxProjects: number;
  maxKeys: number;
}

export const defaultUsageTableLimits: Readonly<UsageTableLimits> = Object.freeze({ maxProjects: 10_000, maxKeys: 10_000 });

/**
 * The row that holds the counters of evicted names. Project ids cannot
 * contain parentheses (server/request-limits.ts), so no client names it.
 */
export const evictedRow = '(evicted)';

/**
 * Per-project and per-key counters, kept in memory for `gateway.stats()`.
 * Maps, because project ids come from clients: "__proto__" must be a name
 * like any other, not a way into Object.prototype.
 *
 * Each table holds at most its limit of names. When a new name would go
 * past it, the least recently counted name is evicted and its counters are
 * added to the `(evicted)` row, so totals stay whole while a client
 * inventing project ids costs a bounded amount of memory.
 */
export class UsageCounterTable {
  readonly #projects: BoundedCounters;
  readonly #keys: BoundedCounters;

  constructor(limits: UsageTableLimits = defaultUsageTableLimits) {
    this.#projects = new BoundedCounters(limits.maxProjects);
    this.#keys = new BoundedCounters(limits.maxKeys);
  }

  record(event: UsageEvent): void {
    if (event.projectId) this.#projects.add(event.projectId, event);
    if (event.keyId) this.#keys.add(event.keyId, event);
  }

  /** Adds another table's rows to this one (its `(evicted)` row to this one's), within this table's bounds. */
  merge(other: UsageCounterTable): void {
    other.#projects.addTo(this.#projects);
    other.#keys.addTo(this.#keys);
  }

  /** Counters per project id, as a plain object for stats(). */
  projects(): Record<string, UsageCounters> {
    return this.#projects.toObject();
  }

  /** Counters per key id, as a plain object for stats(). */
  keys(): Record<string, UsageCounters> {
    return this.#keys.toObject();
  }
}

/** One table: names in the order they were last counted (a Map keeps insertion order), so the first is the least recent. */
class BoundedCounters {
  readonly #rows = new Map<string, UsageCounters>();
  readonly #maxNames: number;
  #evicted: UsageCounters | undefined;

  constructor(maxNames: number) {
    this.#maxNames = maxNames;
  }

  add(name: string, event: UsageEvent): void {
    count(this.#row(name), event);
  }

  /** Adds every row of this table to `target`, the evicted row to its evicted row. */
  addTo(target: BoundedCounters): void {
    for (const [name, counters] of this.#rows) addCounters(target.#row(name), counters);
    if (this.#evicted) {
      target.#evicted ??= emptyCounters();
      addCounters(target.#evicted, this.#evicted);
    }
  }

  #row(name: string): UsageCounters {
    let counters = this.#rows.get(name);
    if (counters) this.#rows.delete(name);
    else {
      counters = emptyCounters();
      if (this.#rows.size >= this.#maxNames) this.#evictLeastRecent();
    }
    this.#rows.set(name, counters);
    return counters;
  }

  toObject(): Record<string, UsageCounters> {
    const table = Object.fromEntries(this.#rows);
    if (this.#evicted) table[evictedRow] = this.#evicted;
    return table;
  }

  #evictLeastRecent(): void {
    const oldest = this.#rows.keys().next();
    if (oldest.done) return;
    const counters = this.#rows.get(oldest.value) as UsageCounters;
    this.#rows.delete(oldest.value);
    this.#evicted ??= emptyCounters();
    addCounters(this.#evicted, counters);
  }
}

function addCounters(target: UsageCounters, counters: UsageCounters): void {
  target.requests += counters.requests;
  target.failed += counters.failed;
  target.images += counters.images;
  target.promptTokens += counters.promptTokens;
  target.completionTokens += counters.completionTokens;
  target.totalTokens += counters.totalTokens;
}

export function emptyCounters(): UsageCounters {
  return { requests: 0, failed: 0, images: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0 };
}

function count(counters: UsageCounters, event: UsageEvent): void {
  counters.requests += 1;
  if (event.status >= 400) counters.failed += 1;
  counters.images += event.images;
  counters.promptTokens += event.promptTokens;
  counters.completionTokens += event.completionTokens;
  counters.totalTokens += event.totalTokens;
}
