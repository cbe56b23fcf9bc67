import type { ProviderStats } from '../../observability/gateway-stats.js';
import { jsonAnswer } from '../../server/answer.js';
import type { Route } from '../../server/router.js';

export interface HealthRouteOptions {
  /** Each instance's queue and health figures, read fresh per call (its cost grows with instances, not projects). */
  providers: () => Record<string, ProviderStats>;
  closing: () => boolean;
  /** Show the instances to every caller, not only to one with a key the gateway accepts. */
  details: boolean;
}

/**
 * GET /healthz: up (200 `ok`) or shutting down (503). Open: load balancers
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
      const status = shuttingDown ? 'shutting_down' : 'ok';
      const code = shuttingDown ? 503 : 200;
      if (!options.details && !authenticated) return jsonAnswer({ status }, code);
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
      return jsonAnswer({ status, providers: summary }, code);
    },
  };
}
