import { shuttingDownError } from './errors/admission-errors.js';
import { GatewayError } from './errors/gateway-error.js';
import { redactedMessage, toGatewayError } from './errors/to-gateway-error.js';
import { SlotScheduler } from './generation/admission/slot-scheduler.js';
import { InstanceHealth } from './generation/routing/instance-health.js';
import { ModelRegistry } from './generation/routing/model-registry.js';
import { RoutePlanner } from './generation/routing/route-planner.js';
import { createConversionQueue } from './images/image-conversion-queue.js';
import { createImageOutputEncoder } from './images/image-output.js';
import { createImageIngester } from './images/ingest/image-ingest.js';
import { createGuardedImageDownloader } from './images/remote/image-download.js';
import { linkSignals } from './lib/cancel-signal.js';
import { randomHex } from './lib/random-hex.js';
import { createSecretRedactor, redactableSecrets } from './lib/secret-redaction.js';
import { type GatewayStats, gatewayStats, healthAnswer } from './observability/gateway-stats.js';
import { UsageTracker } from './observability/usage-counters.js';
import { type GatewayOptions, type ResolvedGatewayOptions, resolveGatewayOptions } from './options.js';
import type { ImageProvider } from './provider.js';
import { buildProviders } from './providers/build-providers.js';
import { defaultProviderContext } from './providers/shared/provider-context.js';
import { providerSecrets } from './providers/shared/provider-secrets.js';
import { type Answer, answerToResponse } from './server/answer.js';
import { createAuthenticator } from './server/auth.js';
import { corsHeaders, withHeaders } from './server/cors.js';
import { errorAnswer } from './server/error-answer.js';
import { attachServe } from './server/host-entry.js';
import { callFromRequest, type IncomingCall } from './server/incoming-call.js';
import { InflightTracker } from './server/inflight-tracker.js';
import { prepareCompletion } from './surfaces/chat-completions/prepare-completion.js';
import { respondJson } from './surfaces/chat-completions/respond-json.js';
import { respondStream } from './surfaces/chat-completions/respond-stream.js';
import { modelAnswer, modelsAnswer } from './surfaces/models/models-route.js';
import type { GatewayContext } from './surfaces/surface-context.js';

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

type Route = 'chat' | 'models' | 'model' | 'health';
const routes = new Map<string, { route: Route; method: string }>([
  ['/v1/chat/completions', { route: 'chat', method: 'POST' }],
  ['/v1/models', { route: 'models', method: 'GET' }],
  ['/healthz', { route: 'health', method: 'GET' }],
]);
/** GET /v1/models/{model}: the rest of the path is a model id, which may hold slashes ("google/gemini-…"). */
const modelPrefix = '/v1/models/';
const modelRoute = { route: 'model', method: 'GET' } as const;

/**
 * Creates the gateway. Options are validated here: a bad one throws a
 * TypeError that names it.
 *
 * @example
 * const gateway = createImageGateway({ providers: [{ type: 'gemini', apiKey: process.env.GEMINI_API_KEY }] });
 * const response = await gateway.fetch(new Request('http://localhost/v1/models'));
 */
export function createImageGateway(input: GatewayOptions = {}): ImageGateway {
  const options = resolveGatewayOptions(input);
  const now = options.now ?? Date.now;
  const providers = buildProviders(
    options.providers,
    defaultProviderContext({ fetch: options.fetch, now, downloadImage: createGuardedImageDownloader(options.images) }),
  );
  const secrets = providerSecrets(options.providers);
  const redactSecrets = createSecretRedactor(secrets);
  const scheduler = new SlotScheduler({ ...options.queue, now });
  for (const provider of providers) scheduler.register(provider.id, provider.concurrency);
  const health = new InstanceHealth({ ...options.routing, now });
  const registry = new ModelRegistry(providers, options.aliases);
  const usage = new UsageTracker();
  // Every running attempt listens to it: a linked signal takes listeners at the cost of an array push,
  // where an AbortSignal's EventTarget costs microseconds each.
  const shutdown = linkSignals([]);
  const inflight = new InflightTracker();
  const authenticator = createAuthenticator(options.apiKeys, options.authenticate);
  const createdAt = Math.floor(now() / 1000);
  // Ingest and output conversions share one bound on concurrent sharp work.
  const conversionQueue = createConversionQueue(options.images.maxConcurrentConversions);
  let closing: Promise<void> | undefined;

  const context: GatewayContext = {
    options,
    planner: new RoutePlanner(registry, health, scheduler),
    scheduler,
    health,
    usage,
    ingester: createImageIngester(options.images, { conversionQueue }),
    // 'original' (the default) leaves images as they come: no step at all on the way.
    encodeOutput: options.images.outputFormat === 'original' ? undefined : createImageOutputEncoder(options.images, conversionQueue),
    inputFormats: inputFormatsOf(options.providers, providers),
    shutdownSignal: shutdown,
    inflight,
    now,
    redactSecrets,
    outputSecrets: redactableSecrets(secrets),
    report(event) {
      usage.record(event);
      options.logger?.info({ ...event }, 'chat completion');
      try {
        options.onUsage?.(event);
      } catch (error) {
        options.logger?.error({ requestId: event.requestId, error: (error as Error).message }, 'onUsage hook threw');
      }
    },
  };

  const match = (call: Pick<Request, 'method' | 'url'>) => {
    const pathname = pathOf(call.url);
    if (!pathname.startsWith(options.basePath)) return undefined;
    // The prefix must end at a segment boundary: "/api" serves "/api/healthz", not "/apix/healthz".
    const path = pathname.slice(options.basePath.length);
    return routes.get(path) ?? (path.startsWith(modelPrefix) && path.length > modelPrefix.length ? modelRoute : undefined);
  };

  async function handle(call: IncomingCall, requestId: string): Promise<Answer> {
    const entry = match(call);
    if (!entry) {
      // A path can be as long as the server lets a request line be: quote enough to recognise it.
      const path = pathOf(call.url);
      throw new GatewayError({
        status: 404,
        type: 'not_found_error',
        code: 'NOT_FOUND',
        message: `No route for ${call.method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}.`,
      });
    }
    if (call.method !== entry.method) {
      throw new GatewayError({
        status: 405,
        type: 'invalid_request_error',
        code: 'METHOD_NOT_ALLOWED',
        message: `${call.method} is not allowed here; use ${entry.method}.`,
        headers: { allow: entry.method },
      });
    }
    if (entry.route === 'health') return healthAnswer(context, providers, closing !== undefined);
    const authenticated = authenticator.authenticate(call);
    const caller = { requestId, startedAt: now(), ...(authenticated instanceof Promise ? await authenticated : authenticated) };
    if (entry.route === 'models') return modelsAnswer(registry, createdAt);
    if (entry.route === 'model') return modelAnswer(registry, createdAt, modelIdOf(pathOf(call.url).slice(options.basePath.length)));
    if (closing) throw shuttingDownError();
    const deadline = linkSignals([(listener) => call.clientGone(listener)], options.routing.totalTimeoutMs);
    let streaming = false;
    try {
      const prepared = await prepareCompletion(call, context, caller, deadline);
      if (!prepared.chat.stream) return await respondJson(prepared, context, caller, deadline);
      streaming = true;
      return respondStream(call, prepared, context, caller, deadline);
    } finally {
      // A stream lets go of its deadline when it ends; everything else when the answer is ready.
      if (!streaming) deadline.dispose();
    }
  }

  async function serve(call: IncomingCall): Promise<Answer> {
    const requestId = requestIdFor(call);
    const cors = corsHeaders(options.cors, call);
    if (call.method === 'OPTIONS' && options.cors !== false && match(call)) return { status: 204, headers: cors };
    const done = inflight.begin(call);
    try {
      const answer = await handle(call, requestId);
      done();
      return withHeaders(answer, { 'x-gateway-request-id': requestId, ...cors });
    } catch (caught) {
      done();
      const error = toGatewayError(caught, redactSecrets);
      if (error.status >= 500)
        options.logger?.error(
          {
            requestId,
            status: error.status,
            code: error.code,
            cause: redactedMessage(String((caught as Error)?.message ?? caught), redactSecrets),
          },
          'request failed',
        );
      else options.logger?.info({ requestId, status: error.status, code: error.code }, 'request rejected');
      return errorAnswer(error, { 'x-gateway-request-id': requestId, ...cors });
    }
  }

  const gateway: ImageGateway = {
    handles: (request) => match(request) !== undefined,
    fetch: async (request) => answerToResponse(await serve(callFromRequest(request))),
    close() {
      closing ??= (async () => {
        scheduler.close();
        const drained = await inflight.drain(options.shutdownGraceMs);
        if (!drained) {
          shutdown.abort(shuttingDownError());
          await inflight.drain(5_000);
        }
      })();
      return closing;
    },
    stats: () => gatewayStats(context, providers),
    models: () => registry.names(),
  };
  attachServe(gateway, { serve, writeStallTimeoutMs: options.writeStallTimeoutMs });
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

/** The model id in a /v1/models/{model} path; SDKs percent-encode it (a "/" in an id as %2F), some do not. */
function modelIdOf(path: string): string {
  const id = path.slice(modelPrefix.length);
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

function requestIdFor(call: IncomingCall): string {
  const incoming = call.header('x-request-id');
  if (incoming && /^[\w.:-]{1,128}$/.test(incoming)) return incoming;
  return `req_${randomHex(20)}`;
}

/** Dot segments, encoded dots and backslashes: paths only the URL parser reads right. */
const unusualPath = /\.|%2e|\\/i;

/** The path of an absolute URL, as the URL parser would give it; plain paths skip building a URL object. */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (unusualPath.test(url.slice(start < 0 ? url.length : start))) {
    try {
      return new URL(url).pathname;
    } catch {
      return '/';
    }
  }
  if (start < 0) return '/';
  let end = url.length;
  for (const separator of ['?', '#']) {
    const at = url.indexOf(separator, start);
    if (at >= 0 && at < end) end = at;
  }
  return url.slice(start, end);
}
