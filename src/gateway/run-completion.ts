import { type DispatchHooks, type DispatchResult, dispatchGeneration } from '../dispatch/dispatch-generation.js';
import type { LinkedSignal } from '../http/linked-signal.js';
import type { ImageOutputEncoder } from '../images/image-output.js';
import type { GenerationEvent } from '../providers/provider-types.js';
import type { GatewayContext } from './gateway-context.js';
import type { PreparedCompletion } from './prepare-completion.js';

/**
 * Dispatches a prepared completion with the gateway's queue, health and
 * limits; images are re-encoded (images.outputFormat) before `onEvent` sees them.
 */
export function runCompletion(
  prepared: PreparedCompletion,
  context: GatewayContext,
  /** The request's deadline: waiting needs no AbortSignal; the output encoder gets a real one. */
  deadline: LinkedSignal,
  hooks: Omit<DispatchHooks, 'onEvent'> & { onEvent(event: GenerationEvent): void },
): Promise<DispatchResult> {
  const encode = context.encodeOutput;
  return dispatchGeneration({
    routes: prepared.routes,
    request: prepared.generation,
    signal: deadline,
    shutdownSignal: context.shutdownSignal,
    maxAttempts: context.options.routing.maxAttempts,
    scheduler: context.scheduler,
    health: context.health,
    now: context.now,
    hooks: encode ? { ...hooks, onEvent: async (event) => hooks.onEvent(await encodeEvent(event, encode, deadline)) } : hooks,
  });
}

async function encodeEvent(event: GenerationEvent, encode: ImageOutputEncoder, deadline: LinkedSignal): Promise<GenerationEvent> {
  // The encoder needs a real AbortSignal (sharp's queue); only image events make the deadline build one.
  if (event.type === 'image') return { type: 'image', image: await encode(event.image, deadline.signal) };
  return event;
}
