import type { Registry } from 'prom-client';
import type { StoreStatus } from '../../store/store-status.js';
import type { ProviderStats } from '../gateway-stats.js';
import type { Prometheus } from './prometheus-peer.js';
import { type GaugeReading, registerScrapeGauge } from './scrape-gauges.js';

const circuitStates = ['closed', 'half-open', 'open'] as const;

/**
 * Each instance's load and health, read when scraped (nothing on the request
 * path): waiting requests by kind, active slots, concurrency and circuit state.
 */
export function registerInstanceGauges(prometheus: Prometheus, registry: Registry, instances: () => Record<string, ProviderStats>): void {
  // One read per scrape, shared by the four gauges: their collect() runs one after the other.
  let read: Record<string, ProviderStats> | undefined;
  const current = () => {
    if (!read) {
      read = instances();
      queueMicrotask(() => {
        read = undefined;
      });
    }
    return Object.entries(read);
  };
  registerScrapeGauge(prometheus, registry, {
    name: 'image_gateway_queue_waiting',
    help: 'Requests waiting for a slot, by the instance whose room counts them and kind (stream or non_stream).',
    labelNames: ['provider', 'kind'],
    *read(): Generator<GaugeReading> {
      for (const [id, stats] of current()) {
        yield [{ provider: id, kind: 'stream' }, stats.waiting.stream];
        yield [{ provider: id, kind: 'non_stream' }, stats.waiting.nonStream];
      }
    },
  });
  registerScrapeGauge(prometheus, registry, {
    name: 'image_gateway_slots_active',
    help: 'Generations running now, by instance.',
    labelNames: ['provider'],
    read: () => current().map(([id, stats]): GaugeReading => [{ provider: id }, stats.active]),
  });
  registerScrapeGauge(prometheus, registry, {
    name: 'image_gateway_slots_concurrency',
    help: 'Generations each instance may run at once (its concurrency).',
    labelNames: ['provider'],
    read: () => current().map(([id, stats]): GaugeReading => [{ provider: id }, stats.concurrency]),
  });
  // With the Redis store: what every process together holds and queues (the figures above are this process's own).
  registerScrapeGauge(prometheus, registry, {
    name: 'image_gateway_queue_waiting_global',
    help: 'With the Redis store: requests waiting for a slot across every gateway process, by instance and kind.',
    labelNames: ['provider', 'kind'],
    *read(): Generator<GaugeReading> {
      for (const [id, stats] of current()) {
        if (!stats.global) continue;
        yield [{ provider: id, kind: 'stream' }, stats.global.waiting.stream];
        yield [{ provider: id, kind: 'non_stream' }, stats.global.waiting.nonStream];
      }
    },
  });
  registerScrapeGauge(prometheus, registry, {
    name: 'image_gateway_slots_active_global',
    help: 'With the Redis store: generations running across every gateway process, by instance.',
    labelNames: ['provider'],
    read: () => current().flatMap(([id, stats]): GaugeReading[] => (stats.global ? [[{ provider: id }, stats.global.active]] : [])),
  });
  registerScrapeGauge(prometheus, registry, {
    name: 'image_gateway_circuit_state',
    help: 'Each instance circuit: 1 on its current state (closed, half-open, open), 0 on the others.',
    labelNames: ['provider', 'state'],
    read: () =>
      current().flatMap(([id, stats]) =>
        circuitStates.map((state): GaugeReading => [{ provider: id, state }, stats.health.state === state ? 1 : 0]),
      ),
  });
}

/** The store that holds the shared limits: 1 while it answers (memory always does), 0 during a Redis outage. */
export function registerStoreGauge(prometheus: Prometheus, registry: Registry, store: () => StoreStatus): void {
  registerScrapeGauge(prometheus, registry, {
    name: 'image_gateway_store_reachable',
    help: 'Whether the store holding the shared limits answers (1) or not (0), by store type (memory or redis).',
    labelNames: ['store'],
    read: () => {
      const status = store();
      return [[{ store: status.type }, status.reachable ? 1 : 0]];
    },
  });
}
