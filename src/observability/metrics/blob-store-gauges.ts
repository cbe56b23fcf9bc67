import type { Registry } from 'prom-client';
import type { BlobStore } from '../../store/blob-store.js';
import type { Prometheus } from './prometheus-peer.js';
import { registerScrapeCounter, registerScrapeGauge } from './scrape-gauges.js';

/**
 * What the blob store holds (hosted image files; stored results share it),
 * read from its `stats()` at each scrape: entries, bytes, and entries evicted
 * to stay within its bounds. A store that cannot tell leaves a figure out.
 */
export function registerBlobStoreGauges(prometheus: Prometheus, registry: Registry, store: BlobStore): void {
  const labels = { store: store.kind };
  registerScrapeGauge(prometheus, registry, {
    name: 'image_gateway_blob_store_entries',
    help: 'Entries (hosted image files, stored results) in the blob store now, by backend.',
    labelNames: ['store'],
    read: () => present(labels, store.stats?.().entries),
  });
  registerScrapeGauge(prometheus, registry, {
    name: 'image_gateway_blob_store_bytes',
    help: 'Bytes held by the blob store now, by backend.',
    labelNames: ['store'],
    read: () => present(labels, store.stats?.().bytes),
  });
  registerScrapeCounter(registry, {
    name: 'image_gateway_blob_store_evictions_total',
    help: 'Entries the blob store dropped before their time to stay within its bounds, by backend.',
    labelNames: ['store'],
    read: () => present(labels, store.stats?.().evictions),
  });
}

function present(labels: Record<string, string>, value: number | undefined): Array<readonly [Record<string, string>, number]> {
  return value === undefined ? [] : [[labels, value]];
}
