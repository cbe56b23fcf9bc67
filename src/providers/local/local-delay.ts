import type { GenerationEvent, GenerationSignal } from '../../provider.js';
import type { ProviderContext } from '../shared/provider-context.js';

/** Short steps keep an abort prompt even when the configured delay is minutes long. */
const stepMs = 100;

/**
 * Waits `delayMs` in small abortable steps (the `delayMs` test option),
 * yielding a `reasoning-delta` progress line now and then: at most four,
 * at least a second apart, so a stream still has quiet stretches in which
 * the gateway's heartbeats show.
 *
 * @example
 * for await (const event of waitWithProgress(3000, context.sleep, signal)) yield event;
 */
export async function* waitWithProgress(
  delayMs: number,
  sleep: ProviderContext['sleep'],
  signal: GenerationSignal,
): AsyncGenerator<GenerationEvent> {
  if (delayMs <= 0) return;
  const progressEveryMs = Math.max(1000, delayMs / 4);
  let waited = 0;
  let nextProgress = progressEveryMs;
  while (waited < delayMs) {
    signal.throwIfAborted();
    const step = Math.min(stepMs, delayMs - waited);
    await sleep(step, signal);
    waited += step;
    if (waited >= nextProgress && waited < delayMs) {
      nextProgress += progressEveryMs;
      yield { type: 'reasoning-delta', text: `Still working… ${Math.round((waited / delayMs) * 100)}%\n` };
    }
  }
  signal.throwIfAborted();
}
