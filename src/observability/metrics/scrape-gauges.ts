import type { Registry } from 'prom-client';
import type { Prometheus } from './prometheus-peer.js';

/** One value of a gauge read at scrape: its label values (by label name) and the value. */
export type GaugeReading = readonly [labels: Record<string, string>, value: number];

export interface ScrapeGauge {
  name: string;
  help: string;
  labelNames: readonly string[];
  /** Reads the current values when Prometheus scrapes: nothing is recorded on the request path. */
  read(): Iterable<GaugeReading>;
}

/**
 * A gauge whose values are read from their source at each scrape (queue
 * lengths, circuit states, a store's entries and reachability): one call per
 * figure, no recording anywhere else.
 *
 * @example
 * registerScrapeGauge(prometheus, registry, {
 *   name: 'image_gateway_store_reachable', help: '1 when the store answers.', labelNames: ['store'],
 *   read: () => [[{ store: 'redis' }, store.reachable ? 1 : 0]],
 * });
 */
export function registerScrapeGauge(prometheus: Prometheus, registry: Registry, gauge: ScrapeGauge): void {
  new prometheus.Gauge({
    name: gauge.name,
    help: gauge.help,
    labelNames: [...gauge.labelNames],
    registers: [registry],
    collect() {
      // Series that are gone (an instance no longer reported) must not linger with their last value.
      this.reset();
      for (const [labels, value] of gauge.read()) this.set(labels, value);
    },
  });
}

/**
 * A counter kept by its source (a store's evictions), read at each scrape and
 * handed to prom-client's registry as its own counters are.
 */
export function registerScrapeCounter(registry: Registry, counter: ScrapeGauge): void {
  const metric = {
    name: counter.name,
    type: 'counter',
    get() {
      const values: Array<{ labels: Record<string, string>; value: number }> = [];
      for (const [labels, value] of counter.read()) values.push({ labels, value });
      return { name: counter.name, help: counter.help, type: 'counter', values, aggregator: 'sum' };
    },
  };
  registry.registerMetric(metric as never);
}
