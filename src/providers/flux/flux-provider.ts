import { UpstreamError } from '../../errors/upstream-error.js';
import type { GenerationEvent, GenerationRequest, GenerationSignal, ImageProvider } from '../../provider.js';
import { defaultGenerationTimeoutMs, type ProviderConfig } from '../shared/provider-config.js';
import type { ProviderContext } from '../shared/provider-context.js';
import { fetchUpstream, transportFailure } from '../shared/upstream-fetch.js';
import type { UpstreamResponse } from '../shared/upstream-http.js';
import { imageFromUrl } from '../shared/upstream-images.js';
import { fluxAnswerError, fluxDownloadError, fluxHttpError, fluxStatusError, fluxTimeoutError } from './flux-errors.js';
import { fluxProfile, resolveFluxModels } from './flux-models.js';
import { buildFluxBody } from './flux-request-body.js';
import { parseFluxSettings } from './flux-settings.js';
import { type FluxPoll, fluxFailedStatuses, fluxPollSchema, fluxSubmitSchema } from './flux-wire.js';

const defaultBaseURL = 'https://api.bfl.ai';
/** BFL allows about 24 tasks in flight per key (6 for kontext-max). */
const defaultConcurrency = 6;
/** A poll that fails this many times in a row ends the task; fewer are waited out (the task keeps running upstream). */
const maxPollFailures = 3;

interface FluxTask {
  label: string;
  pollingUrl: string;
  lastProgress?: string;
  failures: number;
}

/** "Pending (progress 40%)"; BFL sends progress as a fraction or a percentage depending on the model. */
function progressLine(poll: FluxPoll): string {
  if (poll.progress === null || poll.progress === undefined) return poll.status;
  const percent = poll.progress <= 1 ? poll.progress * 100 : poll.progress;
  return `${poll.status} (progress ${Math.round(percent)}%)`;
}

/**
 * The Black Forest Labs FLUX provider: submit `POST /v1/{model}`, poll the
 * returned `polling_url` with backoff, download `result.sample`. `n` images
 * are `n` tasks polled side by side.
 *
 * @example
 * const provider = createFluxProvider({ type: 'flux', apiKey: process.env.BFL_API_KEY }, defaultProviderContext());
 */
export function createFluxProvider(config: ProviderConfig, context: ProviderContext): ImageProvider {
  const settings = parseFluxSettings(config);
  const id = settings.name ?? 'flux';
  const base = (settings.baseURL ?? defaultBaseURL).replace(/\/+$/, '');
  const timeoutMs = settings.timeoutMs ?? defaultGenerationTimeoutMs;
  const headers: Record<string, string> = {
    ...settings.headers,
    accept: 'application/json',
    ...(settings.apiKey ? { 'x-key': settings.apiKey } : {}),
  };

  async function readJson(response: UpstreamResponse, url: string, signal: GenerationSignal): Promise<unknown> {
    try {
      return JSON.parse(await response.text());
    } catch (error) {
      if (error instanceof SyntaxError) throw fluxAnswerError(id, url, 'FLUX answered with invalid JSON');
      throw transportFailure(id, 'FLUX', url, error, signal);
    }
  }

  async function submit(request: GenerationRequest, label: string, signal: GenerationSignal): Promise<FluxTask> {
    const url = `${base}/v1/${encodeURIComponent(request.model)}`;
    const body = buildFluxBody(request, fluxProfile(request.model), settings);
    const response = await fetchUpstream({
      provider: id,
      url,
      init: { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) },
      signal,
      http: context.http,
      toError: (failed, bodyText) => fluxHttpError(id, url, failed, bodyText),
    });
    const parsed = fluxSubmitSchema.safeParse(await readJson(response, url, signal));
    if (!parsed.success) throw fluxAnswerError(id, url, 'FLUX submit answer has no task id');
    const pollingUrl = parsed.data.polling_url ?? `${base}/v1/get_result?id=${encodeURIComponent(parsed.data.id)}`;
    return { label, pollingUrl, failures: 0 };
  }

  /** One poll; undefined when a transient failure is being waited out. */
  async function poll(task: FluxTask, signal: GenerationSignal): Promise<FluxPoll | undefined> {
    try {
      const response = await fetchUpstream({
        provider: id,
        url: task.pollingUrl,
        init: { method: 'GET', headers },
        signal,
        http: context.http,
        toError: (failed, bodyText) => fluxHttpError(id, task.pollingUrl, failed, bodyText),
      });
      const parsed = fluxPollSchema.safeParse(await readJson(response, task.pollingUrl, signal));
      if (!parsed.success) throw fluxAnswerError(id, task.pollingUrl, 'FLUX poll answer has no status');
      task.failures = 0;
      return parsed.data;
    } catch (error) {
      const transient = UpstreamError.isInstance(error) && error.retryable && (error.kind === 'server' || error.kind === 'rate_limit');
      if (!transient || ++task.failures >= maxPollFailures) throw error;
      return undefined;
    }
  }

  async function* generate(request: GenerationRequest, signal: GenerationSignal): AsyncGenerator<GenerationEvent> {
    const count = Math.max(1, request.n);
    const pending: FluxTask[] = [];
    for (let index = 0; index < count; index++) pending.push(await submit(request, count > 1 ? `FLUX #${index + 1}` : 'FLUX', signal));

    const started = context.now();
    let delay = settings.pollIntervalMs;
    while (pending.length > 0) {
      if (context.now() - started > timeoutMs) throw fluxTimeoutError(id, pending[0]!.pollingUrl, context.now() - started);
      await context.sleep(delay, signal);
      delay = Math.min(Math.round(delay * 1.5), settings.maxPollIntervalMs);
      for (const task of [...pending]) {
        const answer = await poll(task, signal);
        if (!answer) continue;
        if (answer.status === 'Ready') {
          const sample = answer.result?.sample;
          if (!sample) throw fluxAnswerError(id, task.pollingUrl, 'FLUX task is Ready but has no result.sample');
          pending.splice(pending.indexOf(task), 1);
          // Downloaded at once (the signed URL lives ~10 minutes), with no x-key: the sample sits on a delivery host.
          const image = await imageFromUrl(sample, {
            provider: id,
            http: context.http,
            signal,
            toError: (failed) => fluxDownloadError(id, sample, failed),
          });
          yield { type: 'image', image };
        } else if (fluxFailedStatuses.has(answer.status)) {
          throw fluxStatusError(id, task.pollingUrl, answer.status, answer.details);
        } else {
          const progress = progressLine(answer);
          if (progress !== task.lastProgress) yield { type: 'reasoning-delta', text: `${task.label}: ${progress}\n` };
          task.lastProgress = progress;
        }
      }
    }
    yield { type: 'finish', reason: 'stop' };
  }

  return {
    specificationVersion: 'v1',
    id,
    type: 'flux',
    models: resolveFluxModels(settings.models),
    concurrency: settings.concurrency ?? defaultConcurrency,
    timeoutMs,
    generate,
  };
}
