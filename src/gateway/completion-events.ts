import type { GenerationEvent } from '../providers/provider-types.js';
import type { GatewayContext } from './gateway-context.js';

/** Re-encodes images on their way out (images.outputFormat); other events pass as they are. */
export async function encodeEvent(event: GenerationEvent, context: GatewayContext, signal: AbortSignal): Promise<GenerationEvent> {
  if (event.type === 'image') return { type: 'image', image: await context.encodeOutput(event.image, signal) };
  return event;
}
