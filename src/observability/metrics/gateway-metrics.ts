import type { Registry } from 'prom-client';
import type { BlobStore } from '../../store/blob-store.js';
import type { StoreStatus } from '../../store/store-status.js';
import type { ProviderStats } from '../gateway-stats.js';
import { AttemptMetrics } from './attempt-metrics.js';
import { registerBlobStoreGauges } from './blob-store-gauges.js';
import { registerInstanceGauges, registerStoreGauge } from './instance-gauges.js';
import { MetricLabels } from './metric-labels.js';
import { loadPrometheus, type Prometheus } from './prometheus-peer.js';
import { RequestMetrics } from './request-metrics.js';

/** What the metrics read besides what they are told: the served names (bounded labels) and the instances' load. */
export interface MetricsSources {
  /** Model names the gateway serves: ids, aliases, `auto`. */
  models: readonly string[];
  /** Project ids that get a label of their own; others are `other`. */
  projects: readonly string[];
  /** Each instance's queue and health, read at each scrape. */
  instances: () => Record<string, ProviderStats>;
  /** Where hosted image files (and stored results) live, for their count, bytes and evictions. */
  blobs?: BlobStore;
  /** Which store holds the shared limits, and whether it answers, read at each scrape. */
  store?: () => StoreStatus;
}

/**
 * A gateway's Prometheus metrics, in a registry of its own (two gateways in
 * one process do not collide): one recorder per concern (requests, attempts,
 * instance gauges); a new concern adds its module and one line here.
 *
 * @example
 * const metrics = await GatewayMetrics.create({ models: ['auto'], projects: [], instances: () => stats().providers });
 * const text = await metrics.registry.metrics();
 */
export class GatewayMetrics {
  readonly registry: Registry;
  readonly requests: RequestMetrics;
  readonly attempts: AttemptMetrics;

  private constructor(prometheus: Prometheus, sources: MetricsSources) {
    this.registry = new prometheus.Registry();
    const labels = new MetricLabels(sources);
    this.requests = new RequestMetrics(this.registry, labels);
    this.attempts = new AttemptMetrics(this.registry, labels);
    registerInstanceGauges(prometheus, this.registry, sources.instances);
    if (sources.blobs) registerBlobStoreGauges(prometheus, this.registry, sources.blobs);
    if (sources.store) registerStoreGauge(prometheus, this.registry, sources.store);
  }

  /** Loads prom-client (rejecting with what to install when it is missing) and registers every metric. */
  static async create(sources: MetricsSources): Promise<GatewayMetrics> {
    return new GatewayMetrics(await loadPrometheus(), sources);
  }
}
