import type * as OpenTelemetryApi from '@opentelemetry/api';

/** The part of @opentelemetry/api the gateway uses. */
export type OpenTelemetry = typeof OpenTelemetryApi;

/**
 * Loads @opentelemetry/api, an optional peer; undefined when it is not
 * installed (then there is nothing to trace into). With the API but no SDK
 * registered by the host, its spans do not record and the gateway does no
 * more per request than ask for one.
 *
 * @example
 * const api = await loadOpenTelemetry();
 */
export async function loadOpenTelemetry(): Promise<OpenTelemetry | undefined> {
  try {
    const loaded = (await import('@opentelemetry/api')) as OpenTelemetry & { default?: OpenTelemetry };
    return loaded.trace ? loaded : loaded.default;
  } catch {
    return undefined;
  }
}
