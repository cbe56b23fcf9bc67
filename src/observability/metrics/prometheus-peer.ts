import type * as PromClient from 'prom-client';

/** The part of prom-client the gateway uses. */
export type Prometheus = typeof PromClient;

/** Why metrics are off when prom-client is missing: what the operator reads in the log and at /metrics. */
export const missingPrometheusMessage =
  'metrics need the optional package prom-client, which is not installed: run `npm install prom-client` (or turn the metrics option off)';

/**
 * Loads prom-client, an optional peer, only when metrics are on: a gateway
 * without metrics never imports it. Rejects with a message naming the
 * missing package and how to install it.
 *
 * @example
 * const prometheus = await loadPrometheus();
 */
export async function loadPrometheus(): Promise<Prometheus> {
  try {
    const loaded = (await import('prom-client')) as Prometheus & { default?: Prometheus };
    // prom-client is CommonJS: under ESM its exports may sit on `default`.
    return loaded.Registry ? loaded : (loaded.default as Prometheus);
  } catch (error) {
    throw new Error(missingPrometheusMessage, { cause: error });
  }
}
