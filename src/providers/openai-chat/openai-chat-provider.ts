import type { GenerationEvent, GenerationRequest, GenerationSignal, ImageProvider, ModelInfo } from '../../provider.js';
import { findServedModel } from '../shared/model-catalog.js';
import { endpointUrl, requestHeaders } from '../shared/openai-endpoint.js';
import { type OpenAIErrorContext, openAIErrorFromEvent, openAIErrorFromResponse } from '../shared/openai-error.js';
import { defaultGenerationTimeoutMs, type ProviderConfig } from '../shared/provider-config.js';
import type { ProviderContext } from '../shared/provider-context.js';
import { parseProviderSettings } from '../shared/provider-settings.js';
import { fetchUpstream, redactUrl } from '../shared/upstream-fetch.js';
import { readJsonObject } from '../shared/upstream-json.js';
import { newChatJsonReader } from './openai-chat-lifted-images.js';
import { resolveRelayModels } from './openai-chat-models.js';
import { buildChatBody } from './openai-chat-request.js';
import { type ChatCompletionBody, chatCompletionSteps } from './openai-chat-response.js';
import { type OpenAIChatSettings, openAIChatSettingsSchema } from './openai-chat-settings.js';
import { readChatStream } from './openai-chat-stream.js';

/**
 * A provider for any OpenAI-compatible relay (`type: 'openai-chat'`): it
 * forwards the conversation to `{baseURL}/v1/chat/completions` and reads
 * images from `message.images` / `delta.images` or markdown in the content.
 *
 * @example
 * const provider = createOpenAIChatProvider(
 *   { type: 'openai-chat', apiKey: process.env.OPENAI_API_KEY, baseURL: 'https://relay.example.com/v1', models: ['gpt-4o-image'] },
 *   defaultProviderContext(),
 * );
 */
export function createOpenAIChatProvider(config: ProviderConfig, context: ProviderContext): ImageProvider {
  const settings = parseProviderSettings(openAIChatSettingsSchema, config, 'openai-chat');
  const id = config.name ?? 'openai-chat';
  const models = resolveRelayModels(settings.models);
  const url = endpointUrl(settings.baseURL, 'chat/completions');
  const state: ProviderState = { id, url, redactedUrl: redactUrl(url), config, settings, models, context };
  return {
    specificationVersion: 'v1',
    id,
    type: 'openai-chat',
    models,
    concurrency: config.concurrency ?? 10,
    timeoutMs: config.timeoutMs ?? defaultGenerationTimeoutMs,
    generate: (request, signal) => generate(state, request, signal),
  };
}

interface ProviderState {
  id: string;
  url: string;
  /** For error messages; parsed once, not per request. */
  redactedUrl: string;
  config: ProviderConfig;
  settings: OpenAIChatSettings;
  models: readonly ModelInfo[];
  context: ProviderContext;
}

async function* generate(state: ProviderState, request: GenerationRequest, signal: GenerationSignal): AsyncGenerator<GenerationEvent> {
  const model = findServedModel(state.models, request.model, state.id);
  const errorContext: OpenAIErrorContext = { provider: state.id, url: state.redactedUrl, now: state.context.now };
  const headers = requestHeaders({
    apiKey: state.settings.apiKey,
    headers: state.config.headers,
    requestId: request.requestId,
    extra: { 'content-type': 'application/json', accept: request.stream ? 'text/event-stream' : 'application/json' },
  });
  const response = await fetchUpstream({
    provider: state.id,
    url: state.url,
    init: { method: 'POST', headers, body: buildChatBody(request, model, state.settings) },
    signal,
    http: state.context.http,
    toError: (failed, bodyText) => openAIErrorFromResponse(failed, bodyText, errorContext),
  });
  const download = { provider: state.id, http: state.context.http, signal, downloadImage: state.context.downloadImage };
  // Some relays answer a stream request with plain JSON (and the reverse); trust the content type.
  if (response.headers.get('content-type')?.includes('text/event-stream')) {
    yield* readChatStream(response, signal, errorContext, download);
    return;
  }
  const body = await readJsonObject<ChatCompletionBody>(response, errorContext, signal, newChatJsonReader());
  // Relays sometimes answer 200 with an error envelope instead of a completion.
  const error = body.choices ? undefined : openAIErrorFromEvent(body, errorContext);
  if (error) throw error;
  for (const step of chatCompletionSteps(body, download)) yield typeof step === 'function' ? await step() : step;
}
