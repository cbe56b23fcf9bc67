import type { ProviderStats } from '../../observability/gateway-stats.js';
import { jsonAnswer } from '../../server/answer.js';
import type { Route } from '../../server/router.js';
import type { StoreStatus } from '../../store/store-status.js';

export interface HealthRouteOptions {
  /** Each instance's queue and health figures, read fresh per call (its cost grows with instances, not projects). */
  providers: () => Record<string, ProviderStats>;
  closing: () => boolean;
  /** Show the instances to every caller, not only to one with a key the gateway accepts. */
  details: boolean;
  /** Which store is in force and whether it is reachable. */
  store: () => StoreStatus;
}

/**
 * GET /healthz: up (200 `ok`), shutting down (503), or, with a Redis store,
 * `store_unavailable` (503: Redis unreachable under `failClosed`, nothing
 * is admitted) or `degraded` (200: unreachable under `local`, this
 * process's own limits apply); a Redis store is named with its reachability
 * (the memory store, the default, is not named). Open: load balancers
 * probe it without a key, so without one it says no more than that. A
 * caller with an accepted key, or everyone with the `healthDetails`
 * option, also gets each instance's type, state and load (never keys or
 * URLs). Its cost does not depend on how many projects or keys were seen.
 */
export function healthRoute(options: HealthRouteOptions): Route {
  return {
    method: 'GET',
    path: '/healthz',
    open: true,
    handle: ({ authenticated }) => {
      const shuttingDown = options.closing();
      const store = options.store();
      const storeDown = store.type !== 'memory' && !store.reachable;
      const refusing = storeDown && store.mode === 'failClosed';
      const status = shuttingDown ? 'shutting_down' : refusing ? 'store_unavailable' : storeDown ? 'degraded' : 'ok';
      const code = shuttingDown || refusing ? 503 : 200;
      const storeSummary = store.type === 'memory' ? undefined : store;
      if (!options.details && !authenticated) return jsonAnswer(storeSummary ? { status, store: storeSummary } : { status }, code);
      const summary: Record<string, unknown> = {};
      for (const [id, instance] of Object.entries(options.providers())) {
        summary[id] = {
          type: instance.type,
          state: instance.health.state,
          concurrency: instance.concurrency,
          active: instance.active,
          waiting: instance.waiting.stream + instance.waiting.nonStream,
        };
      }
      return jsonAnswer(storeSummary ? { status, store: storeSummary, providers: summary } : { status, providers: summary }, code);
    },
  };
}
