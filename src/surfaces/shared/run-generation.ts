import type { GatewayError } from '../../errors/gateway-error.js';
import { toGatewayError } from '../../errors/to-gateway-error.js';
import type { DispatchOutcome } from '../../generation/dispatch/dispatch-generation.js';
import { GenerationAccumulator } from '../../generation/generation-accumulator.js';
import type { ModelRoute } from '../../generation/routing/model-registry.js';
import type { LinkedSignal } from '../../lib/cancel-signal.js';
import { usageEvent } from '../../observability/usage-event.js';
import type { GenerationEvent, GenerationRequest, GenerationUsage } from '../../provider.js';
import type { SseWriter } from '../../server/event-stream.js';
import type { SurfaceContext } from '../surface-context.js';
import type { PreparedExchange } from './generation-route.js';
import { StreamProgress } from './stream-progress.js';

/** What every surface's prepared request holds for the core and the usage record. */
export interface PreparedGeneration {
  generation: Omit<GenerationRequest, 'model'>;
  routes: ModelRoute[];
  projectId?: string;
  promptEstimate: number;
}

/**
 * Runs a generation to its whole result, for answers given at once; a
 * failed attempt's partial output never leaks into the next one's.
 */
export async function runToResult(
  context: SurfaceContext,
  prepared: PreparedGeneration,
  deadline: LinkedSignal,
): Promise<{ outcome: DispatchOutcome; result: GenerationAccumulator }> {
  let result = new GenerationAccumulator();
  const outcome = await context.generation.run({
    request: prepared.generation,
    routes: prepared.routes,
    deadline,
    hooks: {
      onAttempt: () => {
        result = new GenerationAccumulator();
      },
      onEvent: (event) => result.add(event),
      canRetry: () => true,
    },
  });
  return { outcome, result };
}

/** A surface's writer of stream events, as `runStreamed` drives it. */
export interface StreamedOutput {
  /** True once output reached the client: no silent fallback to another attempt after that. */
  readonly contentSent: boolean;
  readonly imageCount: number;
  /** An attempt starts (the wait for a slot is over). */
  started?(): void;
  /** Every event but usage (the runner keeps that); images still in the provider's format. */
  event(event: GenerationEvent): void | Promise<void>;
  /** The generation succeeded: the last events. Returns the error it wrote instead, when it could not finish (no image). */
  finish(usage: GenerationUsage | undefined): GatewayError | undefined;
  /** The generation failed after the stream opened: the error events. */
  fail(error: GatewayError): void;
}

/**
 * Runs a streamed generation: progress in the heartbeats while queued and
 * generating, events to `output`, the `served-by` comment, the last events
 * or the error events, the usage record; the deadline is disposed at the end.
 */
export async function runStreamed(
  exchange: PreparedExchange<PreparedGeneration>,
  context: SurfaceContext,
  writer: SseWriter,
  model: string,
  output: StreamedOutput,
): Promise<void> {
  const { prepared, caller, deadline } = exchange;
  const end = context.inflight.begin(exchange.call);
  const progress = new StreamProgress(writer, context.now);
  const facts = {
    caller,
    model,
    stream: true,
    projectId: prepared.projectId,
    promptEstimate: prepared.promptEstimate,
    request: prepared.generation,
  };
  let usage: GenerationUsage | undefined;
  try {
    const outcome = await context.generation.run({
      request: prepared.generation,
      routes: prepared.routes,
      deadline,
      hooks: {
        onQueued: (ticket) => progress.queued(ticket),
        onAttempt: () => {
          progress.started();
          output.started?.();
          usage = undefined;
        },
        onEvent: (event) => {
          if (event.type === 'usage') usage = event.usage;
          else return output.event(event);
        },
        canRetry: () => !output.contentSent,
      },
    });
    if (!outcome.ok) {
      const error = toGatewayError(outcome.error, context.redactSecrets);
      output.fail(error);
      context.report(usageEvent(facts, { outcome, status: error.status, errorCode: error.code, images: 0 }, context.now()));
      return;
    }
    writer.comment(`served-by provider=${outcome.route.provider.id} model=${outcome.route.model.id} attempts=${outcome.attempts}`);
    const failure = output.finish(usage);
    const ending = failure
      ? { outcome, usage, status: failure.status, errorCode: failure.code, images: 0 }
      : { outcome, usage, status: 200, images: output.imageCount };
    context.report(usageEvent(facts, ending, context.now()));
  } catch (error) {
    // Nothing above is meant to throw; should something, the client still gets the error events.
    if (!writer.closed) output.fail(toGatewayError(error, context.redactSecrets));
  } finally {
    deadline.dispose();
    end();
  }
}
