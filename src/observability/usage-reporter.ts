import type { GatewayLogger } from '../lib/logger.js';
import { costOf, type ModelPrices } from './cost/model-prices.js';
import type { UsageCounterTable } from './usage-counters.js';
import type { UsageEvent } from './usage-event.js';

/** Where each request's usage record goes. */
export type ReportUsage = (event: UsageEvent) => void;

/**
 * The counters behind `gateway.stats()`, the request's log line, the
 * metrics and the host's `onUsage` hook, fed by one record per request,
 * priced first when `prices` are set. A hook that throws is logged and does
 * not fail the request.
 *
 * @example
 * const report = createUsageReporter(counters, logger, (event) => billing.add(event));
 */
export function createUsageReporter(
  counters: Pick<UsageCounterTable, 'record'>,
  logger: GatewayLogger | undefined,
  onUsage: ((event: UsageEvent) => void) | undefined,
  more: { prices?: ModelPrices; observe?: (event: UsageEvent) => void } = {},
): ReportUsage {
  const { prices, observe } = more;
  const priced = prices !== undefined && Object.keys(prices).length > 0;
  return (event) => {
    if (priced) event.cost = costOf(prices, event);
    counters.record(event);
    observe?.(event);
    logger?.info({ ...event }, 'chat completion');
    try {
      onUsage?.(event);
    } catch (error) {
      logger?.error({ requestId: event.requestId, error: (error as Error).message }, 'onUsage hook threw');
    }
  };
}
