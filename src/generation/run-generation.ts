import type { ImageOutputEncoder } from '../images/image-output.js';
import type { LinkedSignal } from '../lib/cancel-signal.js';
import type { GenerationEvent } from '../provider.js';
import type { PreparedCompletion } from '../surfaces/chat-completions/prepare-completion.js';
import type { GatewayContext } from '../surfaces/surface-context.js';
import { type DispatchHooks, type DispatchOptions, type DispatchResult, dispatchGeneration } from './dispatch/dispatch-generation.js';
import { OutputSecretFilter } from './output-secret-filter.js';

/**
 * Dispatches a prepared completion with the gateway's queue, health and
 * limits; images are re-encoded (images.outputFormat) and the providers'
 * configured keys taken out of model text before `onEvent` sees them.
 */
export function runCompletion(
  prepared: PreparedCompletion,
  context: GatewayContext,
  /** The request's deadline: waiting needs no AbortSignal; the output encoder gets a real one. */
  deadline: LinkedSignal,
  hooks: Omit<DispatchHooks, 'onEvent'> & { onEvent(event: GenerationEvent): void },
): Promise<DispatchResult> {
  const encode = context.encodeOutput;
  const deliver: DispatchHooks['onEvent'] = encode
    ? async (event) => hooks.onEvent(await encodeEvent(event, encode, deadline))
    : hooks.onEvent;
  const options = {
    routes: prepared.routes,
    request: prepared.generation,
    signal: deadline,
    shutdownSignal: context.shutdownSignal,
    maxAttempts: context.options.routing.maxAttempts,
    scheduler: context.scheduler,
    health: context.health,
    now: context.now,
  };
  // With no provider secrets configured there is nothing to take out: no step per event at all.
  if (context.outputSecrets.length === 0) return dispatchGeneration({ ...options, hooks: { ...hooks, onEvent: deliver } });
  return dispatchFiltered(options, hooks, deliver, new OutputSecretFilter(context.outputSecrets));
}

/** Dispatch with every event passed through `filter` first (see OutputSecretFilter). */
async function dispatchFiltered(
  options: Omit<DispatchOptions, 'hooks'>,
  hooks: Omit<DispatchHooks, 'onEvent'>,
  deliver: DispatchHooks['onEvent'],
  filter: OutputSecretFilter,
): Promise<DispatchResult> {
  const result = await dispatchGeneration({
    ...options,
    hooks: {
      ...hooks,
      onAttempt(route, attempt) {
        filter.reset();
        hooks.onAttempt?.(route, attempt);
      },
      onEvent: (event) => deliverAll(filter.take(event), deliver),
    },
  });
  // A provider that ended without its finish event: what it held is still output.
  await deliverAll(filter.flush(), deliver);
  return result;
}

function deliverAll(events: GenerationEvent[], deliver: DispatchHooks['onEvent']): void | Promise<void> {
  if (events.length === 1) return deliver(events[0] as GenerationEvent);
  if (events.length > 1) return deliverInOrder(events, deliver);
}

async function deliverInOrder(events: GenerationEvent[], deliver: DispatchHooks['onEvent']): Promise<void> {
  for (const event of events) await deliver(event);
}

async function encodeEvent(event: GenerationEvent, encode: ImageOutputEncoder, deadline: LinkedSignal): Promise<GenerationEvent> {
  // The encoder needs a real AbortSignal (sharp's queue); only image events make the deadline build one.
  if (event.type === 'image') return { type: 'image', image: await encode(event.image, deadline.signal) };
  return event;
}
