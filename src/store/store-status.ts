import type { RedisLink } from './redis/redis-link.js';

/**
 * Which store is in force and how it fares, for `stats()` and `/healthz`.
 * `mode`: `shared` while Redis is reachable; while it is not, what the
 * failure mode does: `local` (this process's own limits) or `failClosed`
 * (new work refused with 503 STORE_UNAVAILABLE). Absent for memory.
 */
export interface StoreStatus {
  type: 'memory' | 'redis';
  reachable: boolean;
  mode?: 'shared' | 'local' | 'failClosed';
}

const memoryStatus: StoreStatus = Object.freeze({ type: 'memory', reachable: true }) as StoreStatus;

/** The store's status now: memory is always reachable; Redis as its link says. */
export function storeStatus(link: RedisLink | undefined): StoreStatus {
  if (!link) return memoryStatus;
  return { type: 'redis', reachable: link.reachable, mode: link.reachable ? 'shared' : link.onUnavailable };
}
