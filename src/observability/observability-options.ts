import { z } from 'zod';

/** Most project ids the metrics option may list: each is a label value, and series multiply. */
export const maxMetricProjects = 1000;

/**
 * `metrics`: off (the default in the middleware), on, or on with settings.
 * `expose: 'public'` serves GET /metrics without a key (for a scraper on a
 * private network); by default it takes a gateway key like any route.
 */
export const metricsOptionSchema = z
  .union([
    z.boolean(),
    z
      .object({
        expose: z.enum(['authenticated', 'public']).default('authenticated'),
        /** Project ids that get a label of their own; every other project is `other`. */
        projects: z.array(z.string().min(1).max(128)).max(maxMetricProjects).default([]),
      })
      .strict(),
  ])
  .default(false);

/** `tracing`: spans through @opentelemetry/api when it is installed (the default); `capturePrompts` puts prompts in spans. */
export const tracingOptionSchema = z.union([z.boolean(), z.object({ capturePrompts: z.boolean().default(false) }).strict()]).default(true);

export interface MetricsSettings {
  expose: 'authenticated' | 'public';
  projects: readonly string[];
}

/** The metrics option as settings, or undefined when metrics are off. */
export function metricsSettings(option: z.output<typeof metricsOptionSchema>): MetricsSettings | undefined {
  if (option === false) return undefined;
  if (option === true) return { expose: 'authenticated', projects: [] };
  return option;
}

/** The tracing option as settings, or undefined when tracing is off. */
export function tracingSettings(option: z.output<typeof tracingOptionSchema>): { capturePrompts: boolean } | undefined {
  if (option === false) return undefined;
  if (option === true) return { capturePrompts: false };
  return option;
}
