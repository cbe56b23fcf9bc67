import type { DispatchFailure, DispatchResult } from '../generation/dispatch/dispatch-generation.js';
import type { GenerationUsage } from '../provider.js';
import type { PreparedCompletion } from '../surfaces/chat-completions/prepare-completion.js';
import type { CallerInfo, GatewayContext } from '../surfaces/surface-context.js';
import type { UsageEvent } from './usage-counters.js';

interface Outcome {
  status: number;
  errorCode?: string;
  result?: DispatchResult;
  failure?: DispatchFailure;
  images: number;
  usage?: GenerationUsage;
}

/** The one usage record per request that onUsage and the request log receive. */
export function usageEvent(prepared: PreparedCompletion, caller: CallerInfo, context: GatewayContext, outcome: Outcome): UsageEvent {
  const route = outcome.result?.route ?? outcome.failure?.route;
  const promptTokens = outcome.usage?.promptTokens ?? prepared.promptEstimate;
  const completionTokens = outcome.usage?.completionTokens ?? 0;
  const totalMs = context.now() - caller.startedAt;
  return {
    requestId: caller.requestId,
    projectId: prepared.projectId,
    keyId: caller.keyId,
    model: prepared.chat.model,
    providerModel: route?.model.id,
    provider: route?.provider.id,
    stream: prepared.chat.stream,
    status: outcome.status,
    errorCode: outcome.errorCode,
    images: outcome.images,
    promptTokens,
    completionTokens,
    totalTokens: outcome.usage?.totalTokens ?? promptTokens + completionTokens,
    attempts: outcome.result?.attempts ?? outcome.failure?.attempts ?? 0,
    queueMs: outcome.result?.queueMs ?? outcome.failure?.queueMs ?? 0,
    generationMs: outcome.result?.generationMs ?? 0,
    totalMs,
  };
}
