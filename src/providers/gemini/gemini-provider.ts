import { base64Pieces } from '../../images/image-json-pieces.js';
import { linkSignals } from '../../lib/cancel-signal.js';
import type { LiftedJson } from '../../lib/json/json-lifting-reader.js';
import { PayloadSlots } from '../../lib/json/json-payload-slots.js';
import type { GenerationEvent, GenerationRequest, GenerationSignal, GenerationUsage, ImageProvider, ModelInfo } from '../../provider.js';
import { addUsage } from '../shared/generation-usage.js';
import { defaultGenerationTimeoutMs, type ProviderConfig } from '../shared/provider-config.js';
import type { ProviderContext } from '../shared/provider-context.js';
import { readServerSentEventsWith } from '../shared/sse-events.js';
import { fetchUpstream, transportFailure } from '../shared/upstream-fetch.js';
import { readUpstreamJson } from '../shared/upstream-json.js';
import { geminiAnswerError, geminiHttpError } from './gemini-errors.js';
import { newGeminiJsonReader } from './gemini-lifted-images.js';
import { geminiProfile, resolveGeminiModels } from './gemini-models.js';
import { buildGeminiBody } from './gemini-request-body.js';
import { parseGeminiSettings } from './gemini-settings.js';
import { GeminiTurnReader, type GeminiTurnSummary } from './gemini-turn-reader.js';

const defaultBaseURL = 'https://generativelanguage.googleapis.com';
const defaultConcurrency = 4;

/** `{base}/v1beta`, unless the configured base already ends with a version (proxies often do). */
function geminiEndpoint(baseURL: string, apiVersion: string): string {
  const base = baseURL.replace(/\/+$/, '');
  return /\/v\d+(alpha|beta)?$/.test(base) ? base : `${base}/${apiVersion}`;
}

/**
 * The Gemini API provider (`generateContent`, or `streamGenerateContent?alt=sse`
 * when the client streams). `n` images are `n` upstream calls: image models
 * refuse `candidateCount` > 1.
 *
 * @example
 * const provider = createGeminiProvider({ type: 'gemini', apiKey: process.env.GEMINI_API_KEY }, defaultProviderContext());
 * for await (const event of provider.generate(request, signal)) console.log(event.type);
 */
export function createGeminiProvider(config: ProviderConfig, context: ProviderContext): ImageProvider {
  const settings = parseGeminiSettings(config);
  const id = settings.name ?? 'gemini';
  const models: ModelInfo[] = resolveGeminiModels(settings.models);
  const endpoint = geminiEndpoint(settings.baseURL ?? defaultBaseURL, settings.apiVersion);
  const headers: Record<string, string> = {
    ...settings.headers,
    'content-type': 'application/json',
    ...(settings.apiKey ? { 'x-goog-api-key': settings.apiKey } : {}),
  };

  async function* callOnce(request: GenerationRequest, signal: GenerationSignal): AsyncGenerator<GenerationEvent, GeminiTurnSummary> {
    const method = request.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    const url = `${endpoint}/models/${encodeURIComponent(request.model)}:${method}`;
    const model = models.find((candidate) => candidate.id === request.model);
    // Input images go beside the JSON text as the pieces they are held in, never stringified into it.
    const slots = new PayloadSlots();
    const body = buildGeminiBody(request, {
      profile: geminiProfile(request.model),
      aspectRatios: model?.capabilities.aspectRatios,
      settings,
      imageData: (image) => slots.slot(base64Pieces(image)),
    });
    const pieces = slots.stringify(body);
    const response = await fetchUpstream({
      provider: id,
      url,
      init: { method: 'POST', headers, body: pieces.length === 1 && typeof pieces[0] === 'string' ? pieces[0] : pieces },
      signal,
      http: context.http,
      toError: (failed, bodyText) => geminiHttpError(id, url, failed, bodyText),
    });
    const reader = new GeminiTurnReader({
      provider: id,
      url,
      wantsImage: request.wantsImage,
      imageRequired: request.imageRequired ?? request.wantsImage,
    });
    const parse = (json: LiftedJson): unknown => {
      try {
        return json.parse();
      } catch {
        throw geminiAnswerError({ provider: id, url, kind: 'server', message: 'Gemini answered with invalid JSON' });
      }
    };
    try {
      // Image data is lifted out as it arrives: a 20 MB image is never one string nor one JSON.parse.
      if (request.stream) {
        for await (const message of readServerSentEventsWith(response, signal, newGeminiJsonReader, { provider: id, url }))
          yield* reader.read(parse(message.data));
      } else {
        yield* reader.read(parse(await readUpstreamJson(response, newGeminiJsonReader(), signal)));
      }
    } catch (error) {
      throw transportFailure(id, 'Gemini', url, error, signal);
    }
    const { events, summary } = reader.end();
    yield* events;
    return summary;
  }

  /** Runs the n calls side by side when nothing streams; the first failure cancels the rest. */
  async function runInParallel(request: GenerationRequest, count: number, signal: GenerationSignal) {
    // The n calls share one link: the request's signal, or the first failure.
    const linked = linkSignals([signal]);
    const collect = async () => {
      const events: GenerationEvent[] = [];
      const iterator = callOnce(request, linked);
      for (let step = await iterator.next(); ; step = await iterator.next()) {
        if (step.done) return { events, summary: step.value };
        events.push(step.value);
      }
    };
    try {
      return await Promise.all(Array.from({ length: count }, collect));
    } catch (error) {
      linked.abort(error);
      throw error;
    } finally {
      linked.dispose();
    }
  }

  async function* generate(request: GenerationRequest, signal: GenerationSignal): AsyncGenerator<GenerationEvent> {
    const count = Math.max(1, request.n);
    const summaries: GeminiTurnSummary[] = [];
    // Extra calls only contribute their image: n copies of "Here is your cat" help nobody.
    const keep = (event: GenerationEvent, index: number) => index === 0 || event.type === 'image';
    if (count === 1 || request.stream) {
      for (let index = 0; index < count; index++) {
        const iterator = callOnce(request, signal);
        for (let step = await iterator.next(); ; step = await iterator.next()) {
          if (step.done) {
            summaries.push(step.value);
            break;
          }
          if (keep(step.value, index)) yield step.value;
        }
      }
    } else {
      const results = await runInParallel(request, count, signal);
      for (const [index, result] of results.entries()) {
        for (const event of result.events) if (keep(event, index)) yield event;
        summaries.push(result.summary);
      }
    }
    const usage = summaries.reduce<GenerationUsage | undefined>((total, summary) => addUsage(total, summary.usage), undefined);
    if (usage) yield { type: 'usage', usage };
    yield { type: 'finish', reason: summaries.find((summary) => summary.finishReason !== 'stop')?.finishReason ?? 'stop' };
  }

  return {
    specificationVersion: 'v1',
    id,
    type: 'gemini',
    models,
    concurrency: settings.concurrency ?? defaultConcurrency,
    timeoutMs: settings.timeoutMs ?? defaultGenerationTimeoutMs,
    generate,
  };
}
