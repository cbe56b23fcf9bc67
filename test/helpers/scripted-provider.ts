import { ImageData } from '../../src/images/image-data.js';
import type { GenerationEvent, GenerationRequest, GenerationSignal, ImageProvider, ModelCapabilities } from '../../src/provider.js';
import { imageModelCapabilities } from '../../src/providers/shared/model-catalog.js';

const onePixelJpeg = ImageData.fromBase64(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==',
  'image/jpeg',
);

export interface ScriptedCall {
  request: GenerationRequest;
  signal: GenerationSignal;
  /** Ends the call successfully with one image. */
  succeed(): void;
  /** Ends the call with an error. */
  fail(error: unknown): void;
}

/**
 * A provider whose calls wait until the test ends them, and which counts how
 * many run at once: the queue tests' view of "the upstream".
 */
export function createScriptedProvider(options: {
  id: string;
  concurrency?: number;
  timeoutMs?: number;
  models?: string[];
  capabilities?: Partial<ModelCapabilities>;
  /** Decides a call at once ('succeed' or an error to throw), or returns undefined to let the test end it. */
  auto?: (request: GenerationRequest) => 'succeed' | Error | undefined;
}) {
  const pending: ScriptedCall[] = [];
  const state = { active: 0, maxActive: 0, calls: 0, aborted: 0 };
  const provider: ImageProvider = {
    id: options.id,
    type: 'scripted',
    concurrency: options.concurrency ?? 1,
    timeoutMs: options.timeoutMs ?? 60_000,
    models: (options.models ?? ['scripted-image']).map((id) => ({
      id,
      capabilities: { ...imageModelCapabilities, text: true, ...options.capabilities },
    })),
    async *generate(request, signal): AsyncGenerator<GenerationEvent> {
      state.calls += 1;
      state.active += 1;
      state.maxActive = Math.max(state.maxActive, state.active);
      try {
        const verdict = options.auto?.(request);
        if (verdict instanceof Error) throw verdict;
        if (verdict !== 'succeed') {
          await new Promise<void>((resolve, reject) => {
            const call: ScriptedCall = {
              request,
              signal,
              succeed: () => resolve(),
              fail: (error) => reject(error),
            };
            pending.push(call);
            signal.addEventListener(
              'abort',
              () => {
                state.aborted += 1;
                reject(signal.reason);
              },
              { once: true },
            );
          });
        }
        yield { type: 'image', image: onePixelJpeg };
        yield { type: 'usage', usage: { promptTokens: 3, completionTokens: 10, imageTokens: 10 } };
        yield { type: 'finish', reason: 'stop' };
      } finally {
        state.active -= 1;
        const index = pending.findIndex((call) => call.signal === signal);
        if (index !== -1) pending.splice(index, 1);
      }
    },
  };
  return { provider, pending, state };
}
