import type { GenerationRequest, ReasoningLevel } from './generation-request.js';
import type { ImageData } from './images/image-data.js';
import type { UpstreamHttp } from './providers/shared/upstream-response.js';

/** What a model can do; routing filters on these. */
export interface ModelCapabilities {
  /** Produces images. */
  imageOutput: boolean;
  /** Accepts input images, and how many at most. */
  imageInput: boolean;
  maxInputImages: number;
  /** Answers with text (conversation). */
  text: boolean;
  tools: boolean;
  jsonMode: boolean;
  /** Context window in tokens. */
  contextWindow: number;
  /** Strongest reasoning tier the model offers, or "none". */
  reasoning: ReasoningLevel | 'none';
  /** Most images one call can return (`n`). */
  maxImagesPerRequest: number;
  /** Aspect ratios the model accepts, when it is limited to a list. */
  aspectRatios?: string[];
  /** Resolution tiers ("1K", "2K", "4K") or exact sizes ("1024x1024"), when limited. */
  sizes?: string[];
}

export interface ModelInfo {
  /** The provider's model id. */
  id: string;
  /** Other public names for this model. */
  aliases?: string[];
  capabilities: ModelCapabilities;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface GenerationUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens?: number;
  imageTokens?: number;
  reasoningTokens?: number;
  /** Of `promptTokens`, the text's share (`usage.prompt_tokens_details.text_tokens`). */
  promptTextTokens?: number;
  /** Of `promptTokens`, the input images' share (`usage.prompt_tokens_details.image_tokens`). */
  promptImageTokens?: number;
  /** Of `promptTokens`, those the upstream served from its prompt cache (`usage.prompt_tokens_details.cached_tokens`). */
  promptCachedTokens?: number;
}

/**
 * What a provider yields while it works. Event names are noun-verb, as in the
 * Vercel AI SDK. A provider yields any number of deltas and images, at most
 * one usage, and ends with one `finish` (or throws).
 */
export type GenerationEvent =
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'image-partial'; image: ImageData; index: number }
  | { type: 'image'; image: ImageData }
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; arguments?: string }
  | { type: 'usage'; usage: GenerationUsage }
  | { type: 'finish'; reason: FinishReason };

/**
 * Set on a built-in provider whose `generate` reads its signal only as a
 * `CancelSignal` (aborted, reason, listeners) and passes it to every wait,
 * so it stops as soon as the signal aborts. The gateway then hands it the
 * request's linked signal itself, making no AbortSignal for the call (on
 * Node 20 a few microseconds and about 2 KB each), and iterates its events
 * directly instead of racing each against the signal as it does for
 * providers it cannot vouch for.
 */
export const takesCancelSignal: unique symbol = Symbol('image-gateway.takesCancelSignal');

/**
 * A provider instance: a small object built from injected config.
 *
 * @example
 * const provider = createLocalProvider({ name: 'local' });
 * for await (const event of provider.generate(request, signal)) { ... }
 */
export interface ImageProvider {
  /** Instance name, unique in a gateway ("gemini", "gemini-eu", "local"). */
  readonly id: string;
  /** Provider type ("gemini", "openai", "openai-chat", "flux", "local"). */
  readonly type: string;
  readonly models: readonly ModelInfo[];
  /** Calls this instance may run at once (the queue enforces it). */
  readonly concurrency: number;
  /** Longest one generation may take before it is aborted, in ms. */
  readonly timeoutMs: number;
  /** Input images as JPEG, or as sent; unset: the gateway's images.convertToJpeg decides. */
  readonly inputFormat?: 'jpeg' | 'original';
  generate(request: GenerationRequest, signal: AbortSignal): AsyncIterable<GenerationEvent>;
  /**
   * Credentials this instance sends upstream (keys, tokens). The gateway
   * cannot see inside a custom provider, so it redacts these from any error
   * text before a client or a log line sees it, as it does for configured
   * providers' keys. Values shorter than 6 characters are not matched.
   */
  readonly secrets?: readonly string[];
  /** Internal: set by built-in providers that need no real AbortSignal (see `takesCancelSignal`). */
  readonly [takesCancelSignal]?: true;
}

/** What every provider factory receives besides its own settings. */
export interface ProviderContext {
  fetch: typeof globalThis.fetch;
  /**
   * The provider's HTTP calls to its API. Unset, they go through `fetch`;
   * `defaultProviderContext` sets it to undici's pooled `request()` unless a
   * `fetch` was injected.
   */
  http?: UpstreamHttp;
  /** Milliseconds since the epoch; injected so tests control time. */
  now: () => number;
  /** Waits `ms` or rejects with the signal's reason when it aborts first. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * Downloads an image URL found in a model's answer through the gateway's
   * SSRF guard. Absent (a provider built on its own), providers use `fetch`.
   */
  downloadImage?: (url: string, signal: AbortSignal) => Promise<ImageData>;
}
