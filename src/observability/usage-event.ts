import type { DispatchOutcome } from '../generation/dispatch/dispatch-generation.js';
import type { GenerationRequest, GenerationUsage } from '../provider.js';
import type { Caller } from '../server/exchange.js';

/** One finished request, as the `onUsage` hook receives it (for billing and analytics). */
export interface UsageEvent {
  requestId: string;
  projectId?: string;
  /** The key id the caller authenticated with (never the key itself). */
  keyId?: string;
  /** The route that served it, below the base path ("/v1/chat/completions", "/v1/images/generations"...). */
  surface?: string;
  /** The model name the client asked for. */
  model: string;
  /** The provider model that served it, and its instance. */
  providerModel?: string;
  provider?: string;
  stream: boolean;
  status: number;
  errorCode?: string;
  images: number;
  /** The size asked for: "WxH", or a resolution tier ("1K", "2K", "4K"); absent: the model's default. */
  size?: string;
  /** The quality asked for ("low", "medium", "high", "standard", "hd"...). */
  quality?: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Of `promptTokens`, the input images' share, when the upstream reported it. */
  promptImageTokens?: number;
  /** Of `completionTokens`, the output images' share, when the upstream reported it. */
  imageTokens?: number;
  /** What it cost by the `prices` option, in the prices' unit; absent when the serving model has no price. */
  cost?: number;
  attempts: number;
  queueMs: number;
  generationMs: number;
  totalMs: number;
}

/** What a surface knows of a request that reached dispatch, for its usage record. */
export interface UsageFacts {
  caller: Caller;
  /** The model name the client asked for, and whether it streamed. */
  model: string;
  stream: boolean;
  projectId?: string;
  /** The gateway's own estimate of the prompt, for when the upstream reports no usage. */
  promptEstimate: number;
  /** What was asked, for pricing by size and quality. */
  request?: Pick<GenerationRequest, 'size' | 'imageSize' | 'quality'>;
}

/** How the request ended, as the client was answered. */
export interface UsageResult {
  outcome: DispatchOutcome;
  /** The HTTP status answered (or, for a stream, the status its error event carries). */
  status: number;
  errorCode?: string;
  images: number;
  usage?: GenerationUsage;
}

/** Longest key id a usage record carries (the gateway's own are 16 characters). */
const longestKeyId = 128;

/**
 * The one usage record per request that onUsage and the request log receive.
 *
 * @example
 * report(usageEvent({ caller, model: 'auto', stream: false, promptEstimate: 12 }, { outcome, status: 200, images: 1 }, Date.now()));
 */
export function usageEvent(facts: UsageFacts, result: UsageResult, now: number): UsageEvent {
  const { outcome, usage } = result;
  const promptTokens = usage?.promptTokens ?? facts.promptEstimate;
  const completionTokens = usage?.completionTokens ?? 0;
  return {
    requestId: facts.caller.requestId,
    projectId: facts.projectId,
    // A host's authenticate hook may derive its key id from anything a client sent: the log line stays bounded.
    keyId: facts.caller.keyId === undefined ? undefined : facts.caller.keyId.slice(0, longestKeyId),
    surface: facts.caller.route,
    model: facts.model,
    providerModel: outcome.route?.model.id,
    provider: outcome.route?.provider.id,
    stream: facts.stream,
    status: result.status,
    errorCode: result.errorCode,
    images: result.images,
    size: sizeAsked(facts.request),
    quality: facts.request?.quality,
    promptTokens,
    completionTokens,
    totalTokens: usage?.totalTokens ?? promptTokens + completionTokens,
    promptImageTokens: usage?.promptImageTokens,
    imageTokens: usage?.imageTokens,
    cost: undefined,
    attempts: outcome.attempts,
    queueMs: outcome.queueMs,
    generationMs: outcome.ok ? outcome.generationMs : 0,
    totalMs: now - facts.caller.startedAt,
  };
}

/** The size a request asked for, as prices name it: "WxH", else the resolution tier. */
function sizeAsked(request: UsageFacts['request']): string | undefined {
  if (request?.size) return `${request.size.width}x${request.size.height}`;
  return request?.imageSize;
}
