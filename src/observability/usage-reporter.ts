import type { GatewayLogger } from '../lib/logger.js';
import type { UsageCounterTable } from './usage-counters.js';
import type { UsageEvent } from './usage-event.js';

/** Where each request's usage record goes. */
export type ReportUsage = (event: UsageEvent) => void;

/**
 * The counters behind `gateway.stats()`, the request's log line and the
 * host's `onUsage` hook, fed by one record per request. A hook that throws
 * is logged and does not fail the request.
 *
 * @example
 * const report = createUsageReporter(counters, logger, (event) => billing.add(event));
 */
export function createUsageReporter(
  counters: Pick<UsageCounterTable, 'record'>,
  logger: GatewayLogger | undefined,
  onUsage: ((event: UsageEvent) => void) | undefined,
): ReportUsage {
  return (event) => {
    counters.record(event);
    logger?.info({ ...event }, 'chat completion');
    try {
      onUsage?.(event);
    } catch (error) {
      logger?.error({ requestId: event.requestId, error: (error as Error).message }, 'onUsage hook threw');
    }
  };
}
