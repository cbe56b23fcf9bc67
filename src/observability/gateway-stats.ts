import type { AdmissionScheduler } from '../generation/admission/admission-scheduler.js';
import type { InstanceQueueStats } from '../generation/admission/slot-scheduler.js';
import type { InstanceHealth, InstanceHealthState } from '../generation/routing/instance-health.js';
import type { ImageProvider } from '../provider.js';
import type { StoreStatus } from '../store/store-status.js';
import type { SharedUsage } from './shared-usage.js';
import type { UsageCounters, UsageCounterTable } from './usage-counters.js';

export interface ProviderStats extends InstanceQueueStats {
  type: string;
  health: InstanceHealthState;
}

export interface GatewayStats {
  providers: Record<string, ProviderStats>;
  projects: Record<string, UsageCounters>;
  keys: Record<string, UsageCounters>;
  /**
   * Where `projects` and `keys` come from: this process's own counts (`process`, the memory store), or every
   * process's, added up in Redis and read at `readAt` (epoch ms; null before the first read): `stats()` stays
   * synchronous, and a call that finds the shared figures over a second old starts a fresh read.
   */
  usage: { source: 'process' } | { source: 'redis'; readAt: number | null };
  /** Which store holds the shared limits (`memory` or `redis`), whether it is reachable, and the mode that follows. */
  store: StoreStatus;
}

/** Where the figures of `gateway.stats()` come from. */
export interface StatsSources {
  providers: readonly ImageProvider[];
  scheduler: AdmissionScheduler;
  health: InstanceHealth;
  counters: UsageCounterTable;
  /** With a Redis store: every process's usage, which `projects` and `keys` then report. */
  sharedUsage?: SharedUsage;
  store: () => StoreStatus;
}

/** Queue, health and usage figures per provider instance, project and key: what `gateway.stats()` answers. */
export function gatewayStats(sources: StatsSources): GatewayStats {
  const shared = sources.sharedUsage?.view();
  return {
    providers: providerStats(sources),
    projects: shared ? shared.projects : sources.counters.projects(),
    keys: shared ? shared.keys : sources.counters.keys(),
    usage: shared ? { source: 'redis', readAt: shared.readAt } : { source: 'process' },
    store: sources.store(),
  };
}

/** Queue and health figures per provider instance alone: what /healthz reads, at a cost that grows with instances only. */
export function providerStats(sources: Omit<StatsSources, 'counters' | 'sharedUsage' | 'store'>): Record<string, ProviderStats> {
  const queue = sources.scheduler.stats();
  const providers: Record<string, ProviderStats> = {};
  for (const provider of sources.providers) {
    const stats = queue[provider.id];
    if (stats) providers[provider.id] = { type: provider.type, ...stats, health: sources.health.state(provider.id) };
  }
  return providers;
}
