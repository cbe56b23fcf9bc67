import type { InstanceQueueStats } from '../generation/admission/slot-scheduler.js';
import type { InstanceHealthState } from '../generation/routing/instance-health.js';
import type { ImageProvider } from '../provider.js';
import { type Answer, jsonAnswer } from '../server/answer.js';
import type { GatewayContext } from '../surfaces/surface-context.js';
import type { UsageCounters } from './usage-counters.js';

export interface ProviderStats extends InstanceQueueStats {
  type: string;
  health: InstanceHealthState;
}

export interface GatewayStats {
  providers: Record<string, ProviderStats>;
  projects: Record<string, UsageCounters>;
  keys: Record<string, UsageCounters>;
}

export function gatewayStats(context: GatewayContext, providers: readonly ImageProvider[]): GatewayStats {
  const queue = context.scheduler.stats();
  const result: Record<string, ProviderStats> = {};
  for (const provider of providers) {
    const stats = queue[provider.id];
    if (stats) result[provider.id] = { type: provider.type, ...stats, health: context.health.state(provider.id) };
  }
  return { providers: result, projects: context.usage.projects(), keys: context.usage.keys() };
}

/** GET /healthz: up or shutting down, with a per-instance summary (no keys, no URLs). */
export function healthAnswer(context: GatewayContext, providers: readonly ImageProvider[], closing: boolean): Answer {
  const summary: Record<string, unknown> = {};
  for (const [id, stats] of Object.entries(gatewayStats(context, providers).providers)) {
    summary[id] = {
      type: stats.type,
      state: stats.health.state,
      concurrency: stats.concurrency,
      active: stats.active,
      waiting: stats.waiting.stream + stats.waiting.nonStream,
    };
  }
  return jsonAnswer({ status: closing ? 'shutting_down' : 'ok', providers: summary }, closing ? 503 : 200);
}
