import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { defaultGenerationTimeoutMs, type ProviderConfig, providerConfigSchema } from '../shared/provider-config.js';
import { parseProviderSettings } from '../shared/provider-settings.js';

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

/** What a message says it got: local options hold no credential, so the value may be quoted. */
const got = (issue: { input?: unknown }) => `(got ${JSON.stringify(issue.input)})`;
const delayError = (issue: { input?: unknown }) => `must be a whole number of milliseconds between 0 and ${maxDelayMs} ${got(issue)}`;
const qualityError = (issue: { input?: unknown }) => `must be a whole number between 1 and 100 ${got(issue)}`;

/** The local engine's settings on top of the common provider config. */
const localSettingsSchema = providerConfigSchema
  .extend({
    delayMs: z.int({ error: delayError }).min(0, { error: delayError }).max(maxDelayMs, { error: delayError }).default(0),
    outputFormat: z.enum(['jpeg', 'png', 'webp'], { error: (issue) => `must be "jpeg", "png" or "webp" ${got(issue)}` }).default('jpeg'),
    quality: z.int({ error: qualityError }).min(1, { error: qualityError }).max(100, { error: qualityError }).default(85),
  })
  .strict();

/**
 * Validates the local engine's settings and fills defaults; the error
 * names each bad option and what it got.
 *
 * @example
 * readLocalSettings({ type: 'local', delayMs: 500 }); // { name: 'local', delayMs: 500, outputFormat: 'jpeg', ... }
 * readLocalSettings({ type: 'local', quality: 0 });   // throws 'invalid local provider config "local": quality: must be a whole number between 1 and 100 (got 0)'
 */
export function readLocalSettings(config: ProviderConfig): LocalSettings {
  const settings = parseProviderSettings(localSettingsSchema, config, 'local');
  return {
    name: settings.name ?? 'local',
    delayMs: settings.delayMs,
    outputFormat: settings.outputFormat,
    quality: settings.quality,
    concurrency: settings.concurrency ?? availableParallelism(),
    timeoutMs: settings.timeoutMs ?? defaultGenerationTimeoutMs,
  };
}
