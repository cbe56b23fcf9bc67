import type { Registry } from 'prom-client';
import type { ProviderStats } from '../gateway-stats.js';
import type { Prometheus } from './prometheus-peer.js';

const circuitStates = ['closed', 'half-open', 'open'] as const;

/**
 * Each instance's load and health, read when scraped (nothing on the request
 * path): waiting requests by kind, active slots, concurrency and circuit state.
 */
export function registerInstanceGauges(prometheus: Prometheus, registry: Registry, instances: () => Record<string, ProviderStats>): void {
  const registers = [registry];
  // One read per scrape, shared by the four gauges: collect() runs for each in turn.
  let read: Record<string, ProviderStats> | undefined;
  const current = () => {
    read ??= instances();
    queueMicrotask(() => {
      read = undefined;
    });
    return read;
  };
  new prometheus.Gauge({
    name: 'image_gateway_queue_waiting',
    help: 'Requests waiting for a slot, by the instance whose room counts them and kind (stream or non_stream).',
    labelNames: ['provider', 'kind'],
    registers,
    collect() {
      for (const [id, stats] of Object.entries(current())) {
        this.set({ provider: id, kind: 'stream' }, stats.waiting.stream);
        this.set({ provider: id, kind: 'non_stream' }, stats.waiting.nonStream);
      }
    },
  });
  new prometheus.Gauge({
    name: 'image_gateway_slots_active',
    help: 'Generations running now, by instance.',
    labelNames: ['provider'],
    registers,
    collect() {
      for (const [id, stats] of Object.entries(current())) this.set({ provider: id }, stats.active);
    },
  });
  new prometheus.Gauge({
    name: 'image_gateway_slots_concurrency',
    help: 'Generations each instance may run at once (its concurrency).',
    labelNames: ['provider'],
    registers,
    collect() {
      for (const [id, stats] of Object.entries(current())) this.set({ provider: id }, stats.concurrency);
    },
  });
  new prometheus.Gauge({
    name: 'image_gateway_circuit_state',
    help: 'Each instance circuit: 1 on its current state (closed, half-open, open), 0 on the others.',
    labelNames: ['provider', 'state'],
    registers,
    collect() {
      for (const [id, stats] of Object.entries(current())) {
        for (const state of circuitStates) this.set({ provider: id, state }, stats.health.state === state ? 1 : 0);
      }
    },
  });
}
