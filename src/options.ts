import { z } from 'zod';
import type { SlotStore } from './generation/admission/slot-store.js';
import { imageOptionsSchema } from './images/image-options.js';
import type { GatewayLogger } from './lib/logger.js';
import { formatPath } from './lib/property-path.js';
import { defaultUsageTableLimits } from './observability/usage-counters.js';
import type { UsageEvent } from './observability/usage-event.js';
import type { ImageProvider } from './provider.js';
import { providerConfigSchema } from './providers/shared/provider-config.js';
import type { AuthenticationHook } from './server/auth.js';
import { defaultRequestLimits } from './server/request-limits.js';
import { blobStoreOptionSchema } from './store/blob-store-options.js';
import { storeOptionsSchema } from './store/store-options.js';

const isFunction = (value: unknown) => typeof value === 'function';
/** Shortest gateway key accepted: 16 random characters are beyond guessing, and long enough to redact in part. */
const minimumGatewayKeyLength = 16;
/** Names that would reach Object.prototype when set on a plain object. */
const forbiddenFieldNames = new Set(['__proto__', 'constructor', 'prototype']);
/** Node clamps longer timers to 1 ms: a huge "wait long" would mean "give up now". */
const maxTimerMs = 2_147_483_647;
/** A first cooldown shorter than this is no backoff: the failed probe's doubling starts from almost nothing. */
const minimumFirstCooldownMs = 100;
const isProviderObject = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  isFunction((value as ImageProvider).generate) &&
  typeof (value as ImageProvider).id === 'string';

export const gatewayOptionsSchema = z
  .object({
    /** Provider instances (configs, or ready-made ImageProvider objects); default: the embedded local engine alone. */
    providers: z
      .array(z.union([z.custom<ImageProvider>(isProviderObject), providerConfigSchema]))
      .min(1)
      .default([{ type: 'local' }]),
    /** Bearer keys that may call the gateway; empty or absent: open access. */
    apiKeys: z
      .array(
        z.string().min(minimumGatewayKeyLength, {
          error: (issue) =>
            `each gateway key must be at least ${minimumGatewayKeyLength} characters (this one has ${String(issue.input).length}): ` +
            'a short key can be guessed, and its echoes cannot be told from ordinary text',
        }),
      )
      .optional(),
    /** Host-app authentication instead of (or besides) apiKeys. */
    authenticate: z.custom<AuthenticationHook>(isFunction, 'must be a function').optional(),
    /** Secret for the HMAC that makes key ids (`key_…` in usage and logs); default: random per process. */
    keyIdSalt: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Path prefix the routes live under, e.g. "/api" for /api/v1/chat/completions. */
    basePath: z
      .string()
      .regex(/^(\/[\w.~-]+)*$/, 'must be "" or a path like "/api"')
      .default(''),
    heartbeatIntervalMs: z.int().min(10).max(120_000).default(10_000),
    /** Largest request body, in bytes (default 64 MiB: ten large base64 images). */
    maxBodyBytes: z
      .int()
      .positive()
      .default(64 * 1024 * 1024),
    /** What one JSON request may carry besides its images (see server/request-limits.ts). */
    requestLimits: z
      .object({
        maxDepth: z.int().min(4).max(1000).default(defaultRequestLimits.maxDepth),
        maxKeysPerObject: z.int().min(16).default(defaultRequestLimits.maxKeysPerObject),
        maxArrayItems: z.int().min(16).default(defaultRequestLimits.maxArrayItems),
        maxRootArrayItems: z.int().min(16).default(defaultRequestLimits.maxRootArrayItems),
        maxMembers: z.int().min(64).default(defaultRequestLimits.maxMembers),
        maxTextBytes: z.int().min(1024).default(defaultRequestLimits.maxTextBytes),
      })
      .strict()
      .default({ ...defaultRequestLimits }),
    /**
     * Request fields outside the OpenAI chat fields the relays' wire format
     * knows that are still forwarded to relays (`top_k`, `provider`...).
     */
    forwardFields: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z_][\w.-]{0,63}$/, 'must be a field name of letters, digits, _ . - (at most 64 characters)')
          .refine((name) => !forbiddenFieldNames.has(name), 'must not be __proto__, constructor or prototype'),
      )
      .max(64)
      .default([]),
    /** Where output images go: markdown in `content`, `message.images[]`, both, or auto (images[] when the request has `modalities`). */
    imageOutput: z.enum(['auto', 'markdown', 'images', 'both']).default('auto'),
    images: imageOptionsSchema.default(imageOptionsSchema.parse({})),
    queue: z
      .object({
        maxWaiting: z.int().min(0).optional(),
        maxStreamWaiting: z.int().min(0).default(10_000),
        maxWaitMs: z.int().positive().max(maxTimerMs).default(120_000),
        store: z.custom<SlotStore>((value) => typeof value === 'object' && value !== null, 'must be a SlotStore').optional(),
      })
      .strict()
      .default({ maxStreamWaiting: 10_000, maxWaitMs: 120_000 }),
    /**
     * Where slots, the wait list, health and usage live: `{ type: 'memory' }` (this process alone, the default)
     * or `{ type: 'redis', url }` (every gateway process on that Redis shares them). See README "Several processes".
     */
    store: storeOptionsSchema,
    routing: z
      .object({
        /** Provider attempts per request, fallbacks included. */
        maxAttempts: z.int().min(1).max(10).default(3),
        /** Deadline for all attempts of one request together, in ms. */
        totalTimeoutMs: z.int().positive().max(maxTimerMs).default(600_000),
        /** Consecutive failures that open an instance's circuit. */
        failureThreshold: z.int().min(1).default(3),
        /** Error rate over the recent window that opens the circuit (with at least 10 calls). */
        errorRateThreshold: z.number().min(0).max(1).default(0.5),
        /** The longest an open circuit keeps an instance out, in ms. */
        cooldownMs: z.int().min(0).max(maxTimerMs).default(30_000),
        /** How long a circuit first stays open, in ms; each failed probe doubles it up to `cooldownMs`. */
        firstCooldownMs: z
          .int()
          .min(minimumFirstCooldownMs, {
            error: (issue) =>
              `must be at least ${minimumFirstCooldownMs} ms (got ${String(issue.input)}): ` +
              'each failed probe doubles it, and a circuit that opens for 0 ms never backs off an upstream that is down',
          })
          .max(maxTimerMs)
          .default(2_000),
      })
      .strict()
      .default({
        maxAttempts: 3,
        totalTimeoutMs: 600_000,
        failureThreshold: 3,
        errorRateThreshold: 0.5,
        cooldownMs: 30_000,
        firstCooldownMs: 2_000,
      }),
    /**
     * Where hosted image files and stored results live: `{ type: 'memory' }` (the default, bounded),
     * `{ type: 'directory', path }`, or your own `BlobStore` (see README "Storage backends").
     */
    blobs: blobStoreOptionSchema.optional(),
    /**
     * Where clients reach the gateway from outside, e.g. `https://images.example.com`
     * (with any path prefix a proxy adds): hosted image URLs start with it, then
     * `basePath`. Absent: taken from each request's Host.
     */
    publicUrl: z
      .url({ protocol: /^https?$/, error: 'must be an absolute http: or https: URL such as "https://images.example.com"' })
      .refine((value) => !/[?#]/.test(value), 'must have no query or fragment')
      .transform((value) => value.replace(/\/+$/, ''))
      .optional(),
    /** Take the public origin from X-Forwarded-Proto and X-Forwarded-Host (only behind a proxy that sets them). */
    trustProxy: z.boolean().default(false),
    /** Public model names mapped to provider models ("nano-banana" → "gemini-2.5-flash-image"). */
    aliases: z.record(z.string(), z.string()).default({}),
    /** Make `project_id` (or the x-gateway-project-id header) mandatory. */
    requireProjectId: z.boolean().default(false),
    /** Distinct projects and key ids `stats()` tracks; past it the least recently counted one is folded into "(evicted)". */
    usageTables: z
      .object({
        maxProjects: z.int().min(1).default(defaultUsageTableLimits.maxProjects),
        maxKeys: z.int().min(1).default(defaultUsageTableLimits.maxKeys),
      })
      .strict()
      .default({ ...defaultUsageTableLimits }),
    /** /healthz shows each instance's type, state and load to every caller, not only to one with an accepted key. */
    healthDetails: z.boolean().default(false),
    /**
     * One event per completion that reached dispatch, when it ends (success or failure). Requests refused
     * earlier (auth, bad JSON, validation, a bad input image, a client gone mid-upload) are only logged.
     */
    onUsage: z.custom<(event: UsageEvent) => void>(isFunction, 'must be a function').optional(),
    logger: z
      .custom<GatewayLogger>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          ['info', 'warn', 'error'].every((name) => isFunction((value as Record<string, unknown>)[name])),
        'must have info, warn and error methods (pino-compatible)',
      )
      .optional(),
    /** CORS for browser clients: true allows any origin. */
    cors: z.union([z.boolean(), z.object({ origin: z.union([z.string(), z.array(z.string())]) }).strict()]).default(false),
    /**
     * How long an answer may wait for its client to take more bytes before
     * the Node adapters drop the connection: a client that stopped reading
     * would otherwise hold its answer (and socket) for good.
     */
    writeStallTimeoutMs: z.int().min(10).max(maxTimerMs).default(60_000),
    /**
     * An answer given before the upload was read (401, 404, 413, 415) waits
     * for the rest of it, read and discarded, before the connection closes:
     * closed mid-upload, the client's next write fails and Node's fetch
     * loses the answer. Past `maxBytes` more bytes or `maxMs`, it closes anyway.
     */
    unreadBody: z
      .object({
        maxBytes: z
          .int()
          .min(0)
          .default(16 * 1024 * 1024),
        maxMs: z.int().min(0).max(maxTimerMs).default(5_000),
      })
      .strict()
      .default({ maxBytes: 16 * 1024 * 1024, maxMs: 5_000 }),
    /** How long close() lets running generations finish before aborting them, in ms. */
    shutdownGraceMs: z.int().min(0).max(maxTimerMs).default(30_000),
    /** Clock in epoch ms for queue, health and timings (tests inject one). */
    now: z.custom<() => number>(isFunction, 'must be a function returning epoch milliseconds').optional(),
    /** fetch used for upstream calls (tests inject one). */
    fetch: z.custom<typeof globalThis.fetch>(isFunction, 'must be a fetch function').optional(),
  })
  .strict();

export type GatewayOptions = z.input<typeof gatewayOptionsSchema>;
export type ResolvedGatewayOptions = z.output<typeof gatewayOptionsSchema>;

/** Validates options; a bad option throws a TypeError naming it (`options.queue.maxWaitMs: ...`). */
export function resolveGatewayOptions(options: GatewayOptions = {}): ResolvedGatewayOptions {
  const result = gatewayOptionsSchema.safeParse(options);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => `options.${formatPath(issue.path)}: ${issue.message}`).join('; ');
  throw new TypeError(`Invalid image-gateway options: ${details}`);
}
