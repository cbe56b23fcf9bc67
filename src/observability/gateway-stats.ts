import type { AdmissionScheduler } from '../generation/admission/admission-scheduler.js';
import type { InstanceQueueStats } from '../generation/admission/slot-scheduler.js';
import type { InstanceHealth, InstanceHealthState } from '../generation/routing/instance-health.js';
import type { ImageProvider } from '../provider.js';
import type { StoreStatus } from '../store/store-status.js';
import type { SharedUsage, SharedUsageView } from './shared-usage.js';
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
   * With a Redis store: usage per project and key added up over every process on it, as read at `readAt`
   * (epoch ms; null before the first read). `projects` and `keys` above stay this process's own, exact and
   * synchronous; this view is refreshed in the background when a `stats()` call finds it over a second old.
   */
  sharedUsage?: SharedUsageView;
  /** Which store holds the shared limits (`memory` or `redis`), whether it is reachable, and the mode that follows. */
  store: StoreStatus;
  /** Detached generations and stored results (README "TTLs and bounds"). */
  results?: ResultsStats;
}

/** What the results registry has done, and what its blob store holds now. */
export interface ResultsStats {
  /** Detached generations running now. */
  running: number;
  /** Requests served by attaching to a running generation (same `Idempotency-Key`). */
  attached: number;
  /** Requests answered from a stored answer. */
  replayed: number;
  /** Answers and results written to the blob store. */
  stored: number;
  /** Writes the blob store refused (bigger than its bounds, unreachable): those results were not kept. */
  storeFailures: number;
  /** The blob store: its kind, and the entries, bytes and evictions it reports. */
  store: { kind: string; entries?: number; bytes?: number; evictions?: number };
}

/** Where the figures of `gateway.stats()` come from. */
export interface StatsSources {
  providers: readonly ImageProvider[];
  scheduler: AdmissionScheduler;
  health: InstanceHealth;
  counters: UsageCounterTable;
  /** With a Redis store: every process's usage, reported as `sharedUsage`. */
  sharedUsage?: SharedUsage;
  store: () => StoreStatus;
}

/** Queue, health and usage figures per provider instance, project and key: what `gateway.stats()` answers. */
export function gatewayStats(sources: StatsSources): GatewayStats {
  const stats: GatewayStats = {
    providers: providerStats(sources),
    projects: sources.counters.projects(),
    keys: sources.counters.keys(),
    store: sources.store(),
  };
  if (sources.sharedUsage) stats.sharedUsage = sources.sharedUsage.view();
  return stats;
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
