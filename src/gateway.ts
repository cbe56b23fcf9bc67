import { shuttingDownError } from './errors/admission-errors.js';
import { GenerationService } from './generation/generation-service.js';
import { conversionConcurrency, createConversionQueue } from './images/image-conversion-queue.js';
import { createImageOutputEncoder } from './images/image-output.js';
import { createImageIngester } from './images/ingest/image-ingest.js';
import { createGuardedImageDownloader } from './images/remote/image-download.js';
import { FetchSlots } from './images/remote/image-fetch-slots.js';
import { configureSharp } from './images/sharp-settings.js';
import { createSecretRedactor, redactableSecrets } from './lib/secret-redaction.js';
import { GatewayObservability } from './observability/gateway-observability.js';
import { type GatewayStats, gatewayStats, providerStats } from './observability/gateway-stats.js';
import { metricsSettings, tracingSettings } from './observability/observability-options.js';
import { SharedUsage } from './observability/shared-usage.js';
import { UsageCounterTable } from './observability/usage-counters.js';
import type { UsageEvent } from './observability/usage-event.js';
import { createUsageReporter } from './observability/usage-reporter.js';
import { type GatewayOptions, type ResolvedGatewayOptions, resolveGatewayOptions } from './options.js';
import type { ImageProvider } from './provider.js';
import { buildProviders } from './providers/build-providers.js';
import { createPooledHttp } from './providers/shared/pooled-http.js';
import { defaultProviderContext } from './providers/shared/provider-context.js';
import { providerSecrets } from './providers/shared/provider-secrets.js';
import { httpOverFetch } from './providers/shared/upstream-http.js';
import { createAuthenticator } from './server/auth.js';
import { registerHostEntry } from './server/host-entry.js';
import { InflightTracker } from './server/inflight-tracker.js';
import { Router } from './server/router.js';
import { createServeCall } from './server/serve-call.js';
import { serveRequest } from './server/unread-body.js';
import { openBlobStore } from './store/open-blob-store.js';
import { openRedisLink } from './store/redis/redis-link.js';
import { storeStatus } from './store/store-status.js';
import { chatCompletionsRoutes } from './surfaces/chat-completions/chat-completions-route.js';
import { imageFileRoutes } from './surfaces/files/image-file-route.js';
import { healthRoute } from './surfaces/health/health-route.js';
import { imagesRoutes } from './surfaces/images/images-routes.js';
import { metricsRoute } from './surfaces/metrics/metrics-route.js';
import { modelsRoutes } from './surfaces/models/models-route.js';
import { playgroundRoutes } from './surfaces/playground/playground-route.js';
import { responsesRoutes } from './surfaces/responses/responses-route.js';
import { ResultRegistry } from './surfaces/results/result-registry.js';
import { signerOf } from './surfaces/shared/host-image.js';
import { hostedImageReader } from './surfaces/shared/hosted-image-reader.js';
import type { SurfaceContext } from './surfaces/surface-context.js';

/** The gateway: one Web-standard `fetch` and a graceful `close`. */
export interface ImageGateway {
  /** Answers any request; paths the gateway does not serve get a 404 in OpenAI error form. */
  fetch(request: Request): Promise<Response>;
  /** Whether `fetch` serves this method and path (adapters fall through otherwise). */
  handles(request: Pick<Request, 'method' | 'url'>): boolean;
  /** Stops admitting, lets running work finish within `shutdownGraceMs`, then aborts it. */
  close(): Promise<void>;
  /** Queue, health and usage figures per provider instance, project and key. */
  stats(): GatewayStats;
  /** Public model names (ids and aliases) the gateway serves. */
  models(): string[];
}

/**
 * Creates the gateway: the wiring of its rooms, nothing more. Options are
 * validated here: a bad one throws a TypeError that names it.
 *
 * @example
 * const gateway = createImageGateway({ providers: [{ type: 'gemini', apiKey: process.env.GEMINI_API_KEY }] });
 * const response = await gateway.fetch(new Request('http://localhost/v1/models'));
 */
export function createImageGateway(input: GatewayOptions = {}): ImageGateway {
  const options = resolveGatewayOptions(input);
  configureSharp();
  const now = options.now ?? Date.now;
  // Client image URLs and image URLs in model answers share one bound on fetches in flight.
  const fetchSlots = new FetchSlots(options.images.maxConcurrentFetches);
  // Ingest, output conversions and the local engine share one bound on concurrent sharp work.
  const conversionQueue = createConversionQueue(
    conversionConcurrency(options.images.maxConcurrentConversions),
    options.images.maxQueuedConversions,
  );
  const metrics = metricsSettings(options.metrics);
  const observability = new GatewayObservability({ metrics, tracing: tracingSettings(options.tracing), logger: options.logger });
  const providers = buildProviders(
    options.providers,
    defaultProviderContext({
      http: observability.tracedHttp(options.fetch ? httpOverFetch(options.fetch) : createPooledHttp()),
      now,
      downloadImage: createGuardedImageDownloader(options.images, { fetchSlots }),
      conversions: conversionQueue,
    }),
  );
  // Connects in the background: until Redis answers, the failure mode (store.onUnavailable) says what admission does.
  const redisLink = options.store.type === 'redis' ? openRedisLink(options.store, options.logger) : undefined;
  const secrets = providerSecrets(options.providers);
  const redactSecrets = createSecretRedactor(secrets);
  const generation = new GenerationService({
    providers,
    aliases: options.aliases,
    queue: options.queue,
    routing: options.routing,
    inputFormats: inputFormatsOf(options.providers, providers),
    // 'original' (the default) leaves images as they come: no step at all on the way.
    encodeOutput: options.images.outputFormat === 'original' ? undefined : createImageOutputEncoder(options.images, conversionQueue),
    outputSecrets: redactableSecrets(secrets),
    now,
    logger: options.logger,
    redactSecrets,
    observer: observability.observer,
    redisLink,
  });
  const counters = new UsageCounterTable(options.usageTables);
  // With Redis, usage is also added up across processes, in batches off the requests' path.
  const sharedUsage = redisLink ? new SharedUsage(redisLink, { limits: options.usageTables, now, logger: options.logger }) : undefined;
  const usageTables = sharedUsage
    ? {
        record(event: UsageEvent) {
          counters.record(event);
          sharedUsage.record(event);
        },
      }
    : counters;
  const inflight = new InflightTracker();
  const blobs = openBlobStore(options.blobs, { now, redisLink });
  const context: SurfaceContext = {
    options,
    generation,
    ingester: createImageIngester(options.images, {
      conversionQueue,
      fetchSlots,
      readHostedImage: hostedImageReader(blobs.store, signerOf({ options }), now),
    }),
    encodeImageAs: {
      png: createImageOutputEncoder({ ...options.images, outputFormat: 'png' }, conversionQueue),
      jpeg: createImageOutputEncoder({ ...options.images, outputFormat: 'jpeg' }, conversionQueue),
      webp: createImageOutputEncoder({ ...options.images, outputFormat: 'webp' }, conversionQueue),
    },
    inflight,
    report: createUsageReporter(usageTables, options.logger, options.onUsage, {
      prices: options.prices,
      observe: (event) => observability.record(event),
    }),
    redactSecrets,
    blobs: blobs.store,
    results: new ResultRegistry({
      blobs: blobs.store,
      ttlMs: options.results.ttlSeconds * 1000,
      waitMs: options.routing.totalTimeoutMs,
      inflight,
      logger: options.logger,
    }),
    now,
  };
  const stats = () => {
    const figures = gatewayStats({
      providers,
      scheduler: generation.scheduler,
      health: generation.health,
      counters,
      sharedUsage,
      store: () => storeStatus(redisLink),
    });
    figures.results = context.results.stats();
    return figures;
  };
  const instances = () => providerStats({ providers, scheduler: generation.scheduler, health: generation.health });
  let closing: Promise<void> | undefined;
  const createdAt = Math.floor(now() / 1000);
  const router = new Router(options.basePath, [
    ...chatCompletionsRoutes(context),
    ...imagesRoutes(context),
    ...responsesRoutes(context),
    ...imageFileRoutes(context),
    ...modelsRoutes(generation.registry, createdAt),
    healthRoute({
      providers: instances,
      closing: () => closing !== undefined,
      details: options.healthDetails,
      store: () => storeStatus(redisLink),
    }),
    ...(options.playground
      ? playgroundRoutes({ providers: instances, closing: () => closing !== undefined, now, publicUrl: options.publicUrl })
      : []),
    ...(metrics ? [metricsRoute(() => observability.scrape(), metrics.expose === 'public')] : []),
  ]);
  const servePlain = createServeCall({
    router,
    authenticator: createAuthenticator(options.apiKeys, options.authenticate, {
      keyIdSalt: options.keyIdSalt,
      logger: options.logger,
      now,
    }),
    cors: options.cors,
    inflight,
    closing: () => closing !== undefined,
    redactSecrets,
    now,
    logger: options.logger,
  });
  const serve = observability.start(
    {
      models: ['auto', ...generation.registry.names()],
      instances,
      blobs: blobs.store,
      store: () => storeStatus(redisLink),
      providerTypes: new Map(providers.map((provider) => [provider.id, provider.type])),
      routeOf: (call) => router.match(call)?.route?.path,
    },
    servePlain,
  );

  const gateway: ImageGateway = {
    handles: (request) => router.match(request) !== undefined,
    fetch: (request) => serveRequest(serve, request, options.unreadBody),
    close() {
      closing ??= (async () => {
        generation.stopAdmitting();
        const drained = await inflight.drain(options.shutdownGraceMs);
        if (!drained) {
          generation.abortRunning(shuttingDownError());
          await inflight.drain(5_000);
        }
        // Detached runs that just ended may still be writing their answers to the store.
        await context.results.close(5_000);
        // Only after the running work is done: a finishing stream may still store its image.
        if (blobs.owned) await blobs.store.close?.();
        await sharedUsage?.close();
        await redisLink?.close();
      })();
      return closing;
    },
    stats,
    models: () => generation.registry.names(),
  };
  registerHostEntry(gateway, { serve, writeStallTimeoutMs: options.writeStallTimeoutMs, unreadBody: options.unreadBody });
  return gateway;
}

/** Each instance's input format: its config's `inputFormat`, or a custom provider's own. */
function inputFormatsOf(
  configs: ResolvedGatewayOptions['providers'],
  providers: readonly ImageProvider[],
): Map<string, 'jpeg' | 'original'> {
  const formats = new Map<string, 'jpeg' | 'original'>();
  configs.forEach((config, index) => {
    const format = config.inputFormat as 'jpeg' | 'original' | undefined;
    const provider = providers[index];
    if (provider && format) formats.set(provider.id, format);
  });
  return formats;
}
