import { UpstreamError } from '../../errors/upstream-error.js';
import type { GenerationEvent, GenerationRequest, GenerationSignal, GenerationUsage, ImageProvider, ModelInfo } from '../../provider.js';
import { addUsage } from '../shared/generation-usage.js';
import { findServedModel } from '../shared/model-catalog.js';
import { endpointUrl, requestHeaders } from '../shared/openai-endpoint.js';
import { type OpenAIErrorContext, openAIErrorFromResponse } from '../shared/openai-error.js';
import { defaultGenerationTimeoutMs, type ProviderConfig } from '../shared/provider-config.js';
import type { ProviderContext } from '../shared/provider-context.js';
import { parseProviderSettings } from '../shared/provider-settings.js';
import { fetchUpstream, redactUrl } from '../shared/upstream-fetch.js';
import { readJsonObject } from '../shared/upstream-json.js';
import { newImagesAnswerReader } from './openai-images-lifted.js';
import { resolveOpenAIImageModels } from './openai-images-models.js';
import { buildImagesCall } from './openai-images-request.js';
import { type ImagesResponseBody, readImagesResponse } from './openai-images-response.js';
import { type OpenAIImagesSettings, openAIImagesSettingsSchema } from './openai-images-settings.js';
import { readImagesStream } from './openai-images-stream.js';

/**
 * The OpenAI Images API provider (`type: 'openai'`): `images/generations`
 * for text-to-image, `images/edits` (multipart) when the request carries
 * input images, streaming partial images for GPT image models.
 *
 * @example
 * const provider = createOpenAIImagesProvider({ type: 'openai', apiKey: process.env.OPENAI_API_KEY }, defaultProviderContext());
 * for await (const event of provider.generate(request, signal)) console.log(event.type);
 */
export function createOpenAIImagesProvider(config: ProviderConfig, context: ProviderContext): ImageProvider {
  const settings = parseProviderSettings(openAIImagesSettingsSchema, config, 'openai');
  const models = resolveOpenAIImageModels(config.models);
  const id = config.name ?? 'openai';
  return {
    specificationVersion: 'v1',
    id,
    type: 'openai',
    models,
    concurrency: config.concurrency ?? 5,
    timeoutMs: config.timeoutMs ?? defaultGenerationTimeoutMs,
    generate: (request, signal) => generate({ id, config, settings, models, context }, request, signal),
  };
}

interface ProviderState {
  id: string;
  config: ProviderConfig;
  settings: OpenAIImagesSettings;
  models: readonly ModelInfo[];
  context: ProviderContext;
}

async function* generate(state: ProviderState, request: GenerationRequest, signal: GenerationSignal): AsyncGenerator<GenerationEvent> {
  const model = findServedModel(state.models, request.model, state.id);
  if (request.inputImages.length > 0 && !model.capabilities.imageInput) {
    throw new UpstreamError({ provider: state.id, kind: 'bad_request', message: `${request.model} cannot edit images` });
  }
  const upstreamRequest = { ...request, model: model.id };
  // dall-e-3 makes one image per call: n images are n calls, one after another so the slot count stays honest.
  const perCall = Math.max(1, Math.min(request.n, model.capabilities.maxImagesPerRequest));
  let remaining = Math.max(1, request.n);
  let usage: GenerationUsage | undefined;
  while (remaining > 0) {
    const count = Math.min(perCall, remaining);
    usage = addUsage(usage, yield* callOnce(state, upstreamRequest, model, count, signal));
    remaining -= count;
  }
  if (usage) yield { type: 'usage', usage };
  yield { type: 'finish', reason: 'stop' };
}

async function* callOnce(
  state: ProviderState,
  request: GenerationRequest,
  model: ModelInfo,
  count: number,
  signal: GenerationSignal,
): AsyncGenerator<GenerationEvent, GenerationUsage | undefined> {
  const call = buildImagesCall(request, model, state.settings, count);
  const url = endpointUrl(state.settings.baseURL, call.path);
  const errorContext: OpenAIErrorContext = { provider: state.id, url: redactUrl(url), now: state.context.now };
  const headers = requestHeaders({
    apiKey: state.settings.apiKey,
    headers: state.config.headers,
    requestId: request.requestId,
    extra: {
      'content-type': call.contentType,
      accept: call.stream ? 'text/event-stream' : 'application/json',
      'openai-organization': state.settings.organization,
      'openai-project': state.settings.project,
    },
  });
  const response = await fetchUpstream({
    provider: state.id,
    url,
    init: { method: 'POST', headers, body: call.body },
    signal,
    http: state.context.http,
    toError: (failed, bodyText) => openAIErrorFromResponse(failed, bodyText, errorContext),
  });
  if (call.stream && response.headers.get('content-type')?.includes('text/event-stream')) {
    return yield* readImagesStream(response, signal, errorContext);
  }
  const body = await readJsonObject<ImagesResponseBody>(response, errorContext, signal, newImagesAnswerReader());
  return yield* readImagesResponse(body, { provider: state.id, url: errorContext.url, http: state.context.http, signal });
}
