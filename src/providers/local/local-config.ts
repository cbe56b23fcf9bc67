import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { defaultGenerationTimeoutMs, type ProviderConfig } from '../shared/provider-config.js';

/** Output encodings the local engine writes. */
export type LocalOutputFormat = 'jpeg' | 'png' | 'webp';

/** The local engine's own settings, after defaults. */
export interface LocalSettings {
  /** Instance id: `config.name`, or "local". */
  name: string;
  /** Extra wait per generation, in ms: a test knob that makes the engine behave like a slow upstream. */
  delayMs: number;
  outputFormat: LocalOutputFormat;
  /** Encoder quality for JPEG and WebP, 1–100. */
  quality: number;
  concurrency: number;
  timeoutMs: number;
}

/** Longest `delayMs` accepted: one hour is already far past any generation deadline. */
const maxDelayMs = 3_600_000;

const localOptionsSchema = z.object({
  delayMs: z
    .int({ error: `must be a whole number of milliseconds between 0 and ${maxDelayMs}` })
    .min(0, `must be a whole number of milliseconds between 0 and ${maxDelayMs}`)
    .max(maxDelayMs, `must be a whole number of milliseconds between 0 and ${maxDelayMs}`)
    .default(0),
  outputFormat: z.enum(['jpeg', 'png', 'webp'], { error: 'must be "jpeg", "png" or "webp"' }).default('jpeg'),
  quality: z
    .int({ error: 'must be a whole number between 1 and 100' })
    .min(1, 'must be a whole number between 1 and 100')
    .max(100, 'must be a whole number between 1 and 100')
    .default(85),
});

/**
 * Validates the local engine's type-specific settings and fills defaults.
 * Errors name the option the way a config file spells it.
 *
 * @example
 * readLocalSettings({ type: 'local', delayMs: 500 }); // { name: 'local', delayMs: 500, outputFormat: 'jpeg', ... }
 * readLocalSettings({ type: 'local', quality: 0 });   // throws "providers[local].quality must be a whole number between 1 and 100 (got 0)"
 */
export function readLocalSettings(config: ProviderConfig): LocalSettings {
  const name = config.name ?? 'local';
  const result = localOptionsSchema.safeParse(config);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? 'config');
    const received = JSON.stringify((config as Record<string, unknown>)[key]);
    throw new TypeError(`providers[${name}].${key} ${issue?.message ?? 'is invalid'} (got ${received})`);
  }
  return {
    name,
    ...result.data,
    concurrency: config.concurrency ?? availableParallelism(),
    timeoutMs: config.timeoutMs ?? defaultGenerationTimeoutMs,
  };
}
