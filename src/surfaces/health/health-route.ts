import type { GatewayStats } from '../../observability/gateway-stats.js';
import { jsonAnswer } from '../../server/answer.js';
import type { Route } from '../../server/router.js';

/**
 * GET /healthz: up or shutting down (503), with a per-instance summary (no
 * keys, no URLs). Open: load balancers probe it without a key.
 */
export function healthRoute(stats: () => GatewayStats, closing: () => boolean): Route {
  return {
    method: 'GET',
    path: '/healthz',
    open: true,
    handle: () => {
      const summary: Record<string, unknown> = {};
      for (const [id, instance] of Object.entries(stats().providers)) {
        summary[id] = {
          type: instance.type,
          state: instance.health.state,
          concurrency: instance.concurrency,
          active: instance.active,
          waiting: instance.waiting.stream + instance.waiting.nonStream,
        };
      }
      const shuttingDown = closing();
      return jsonAnswer({ status: shuttingDown ? 'shutting_down' : 'ok', providers: summary }, shuttingDown ? 503 : 200);
    },
  };
}
