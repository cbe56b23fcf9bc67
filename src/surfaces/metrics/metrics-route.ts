import type { Answer } from '../../server/answer.js';
import type { Route } from '../../server/router.js';

/**
 * GET /metrics: the gateway's Prometheus metrics. It takes a gateway key
 * like any route unless `open` (the `metrics.expose: 'public'` option), for a
 * scraper that carries none on a private network.
 *
 * @example
 * metricsRoute(() => observability.scrape(), false);
 */
export function metricsRoute(scrape: () => Promise<Answer>, open: boolean): Route {
  return { method: 'GET', path: '/metrics', open, handle: () => scrape() };
}
