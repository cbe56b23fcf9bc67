import { invalidRequest } from '../../errors/gateway-error.js';
import { ImageData } from '../../images/image-data.js';
import type { PixelSize } from '../../images/image-geometry.js';
import { toAbortSignal } from '../../lib/cancel-signal.js';
import type { GenerationEvent, GenerationRequest, GenerationSignal, ImageProvider, ModelCapabilities, ModelInfo } from '../../provider.js';
import { imageModelCapabilities, resolveModels } from '../shared/model-catalog.js';
import type { ProviderConfig } from '../shared/provider-config.js';
import type { ProviderContext } from '../shared/provider-context.js';
import { defaultProviderContext } from '../shared/provider-context.js';
import { type LocalSettings, readLocalSettings } from './local-config.js';
import { waitWithProgress } from './local-delay.js';
import { drawPicture } from './local-draw.js';
import { editImages } from './local-edit.js';
import { chooseFormat, type RunSharp, runSharpNow } from './local-encode.js';
import { describeOperation, maxEditSteps, parseInstructions } from './local-instructions.js';
import { appliedNote, conversationReply, unknownInstructionNote } from './local-replies.js';
import { outputSize } from './local-size.js';
import { estimateUsage } from './local-usage.js';

/** Most images one request may ask for; routing rejects a larger `n` before the engine sees it. */
export const localMaxImagesPerRequest = 4;

/** What `local-image` can do: draw, edit up to 10 inputs, and answer conversation with a short note. */
export const localImageCapabilities: ModelCapabilities = {
  ...imageModelCapabilities,
  text: true,
  maxInputImages: 10,
  maxImagesPerRequest: localMaxImagesPerRequest,
};

const defaultModels: readonly ModelInfo[] = [{ id: 'local-image', capabilities: localImageCapabilities }];

/**
 * The embedded local engine: draws procedural pictures for prompts and
 * applies edit instructions to input images with sharp. No keys, no network.
 *
 * @example
 * const provider = createLocalProvider({ type: 'local' }, defaultProviderContext());
 * for await (const event of provider.generate(request, AbortSignal.timeout(60_000))) console.log(event.type);
 */
export function createLocalProvider(config: ProviderConfig, context: ProviderContext = defaultProviderContext()): ImageProvider {
  const settings = readLocalSettings(config);
  return {
    specificationVersion: 'v1',
    id: settings.name,
    type: 'local',
    models: resolveModels(defaultModels, config.models, localImageCapabilities),
    concurrency: settings.concurrency,
    timeoutMs: settings.timeoutMs,
    generate: (request, signal) => generate(settings, context, request, signal),
  };
}

/** What the engine produced so far, for the usage estimate. */
interface Transcript {
  text: string;
  reasoning: string;
  images: PixelSize[];
}

/** One kind of work: yields a plan line, calls `pause` (the `delayMs` option), then the results. */
interface Job {
  settings: LocalSettings;
  request: GenerationRequest;
  signal: GenerationSignal;
  transcript: Transcript;
  pause: () => AsyncGenerator<GenerationEvent>;
  /** Where the job's sharp pipelines run: the gateway's conversion queue, when it has one. */
  runSharp: RunSharp;
}

async function* generate(
  settings: LocalSettings,
  context: ProviderContext,
  request: GenerationRequest,
  signal: GenerationSignal,
): AsyncGenerator<GenerationEvent> {
  signal.throwIfAborted();
  const transcript: Transcript = { text: '', reasoning: '', images: [] };
  const conversions = context.conversions;
  // The queue takes an AbortSignal: made once per generation, and only when a pipeline runs.
  let abortSignal: AbortSignal | undefined;
  const runSharp: RunSharp = conversions
    ? (task) => {
        abortSignal ??= toAbortSignal(signal);
        return conversions.run(task, abortSignal);
      }
    : runSharpNow;
  const pause = () => waitWithProgress(settings.delayMs, context.sleep, signal);
  const job: Job = { settings, request, signal, transcript, pause, runSharp };
  const work = request.inputImages.length > 0 ? edit(job) : request.wantsImage ? draw(job) : answer(job);
  for await (const event of work) {
    if (event.type === 'text-delta') transcript.text += event.text;
    if (event.type === 'reasoning-delta') transcript.reasoning += event.text;
    yield event;
  }
  signal.throwIfAborted();
  yield { type: 'usage', usage: estimateUsage({ request, ...transcript }) };
  yield { type: 'finish', reason: 'stop' };
}

async function* draw({ settings, request, signal, transcript, pause, runSharp }: Job): AsyncGenerator<GenerationEvent> {
  const size = outputSize(request);
  const count = imageCount(request.n);
  const what = count === 1 ? 'a' : `${count}`;
  yield { type: 'reasoning-delta', text: `Drawing ${what} ${size.width}×${size.height} image${count === 1 ? '' : 's'}…\n` };
  yield* pause();
  const format = chooseFormat(request.outputFormat, settings.outputFormat);
  for (let variant = 0; variant < count; variant++) {
    signal.throwIfAborted();
    const encoded = await drawPicture({
      prompt: request.prompt,
      seed: request.seed ?? 0,
      variant,
      size,
      format,
      quality: settings.quality,
      runSharp,
    });
    signal.throwIfAborted();
    transcript.images.push(encoded);
    yield { type: 'image', image: ImageData.fromBytes(encoded.bytes, encoded.mediaType) };
  }
}

async function* edit({ settings, request, signal, transcript, pause, runSharp }: Job): AsyncGenerator<GenerationEvent> {
  const operations = parseInstructions(request.prompt);
  if (operations.length > maxEditSteps) {
    throw invalidRequest(
      `The instruction asks for more than ${maxEditSteps} edit steps; the local engine applies at most ${maxEditSteps} per request.`,
      'messages',
      'too_many_edit_steps',
    );
  }
  const inputs = request.inputImages.length;
  const plan = operations.length > 0 ? operations.map(describeOperation).join(', ') : 'no edit recognised';
  const combining = inputs > 1 ? `Combining ${inputs} images side by side, then ` : 'Editing the image: ';
  yield { type: 'reasoning-delta', text: `${combining}${plan}…\n` };
  yield* pause();
  const result = await editImages({
    images: request.inputImages,
    operations,
    aspectRatio: request.aspectRatio,
    size: request.size,
    format: chooseFormat(request.outputFormat, settings.outputFormat),
    quality: settings.quality,
    signal,
    runSharp,
  });
  signal.throwIfAborted();
  // The note comes first, ending in the blank line that separates it from the image: a JSON answer
  // joins text and images with one, and a stream passes the text on as written, so both read alike.
  const note = operations.length === 0 ? unknownInstructionNote(request.prompt, result.applied) : appliedNote(result.applied);
  yield { type: 'text-delta', text: `${note}\n\n` };
  // Edits are deterministic, so n > 1 returns copies of the same result.
  for (let index = 0; index < imageCount(request.n); index++) {
    transcript.images.push(result);
    yield { type: 'image', image: ImageData.fromBytes(result.bytes, result.mediaType) };
  }
}

async function* answer({ pause }: Job): AsyncGenerator<GenerationEvent> {
  yield* pause();
  yield { type: 'text-delta', text: conversationReply };
}

function imageCount(requested: number): number {
  return Math.min(localMaxImagesPerRequest, Math.max(1, Math.floor(requested) || 1));
}
