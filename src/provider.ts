import type { ImageData } from './images/image-data.js';
import type { CancelSignal } from './lib/cancel-signal.js';

/**
 * The provider contract: what the gateway hands a provider (a
 * `GenerationRequest` and a `GenerationSignal`) and what it reads back (a
 * stream of `GenerationEvent`s). It is public and versioned: a provider
 * object may say which version it implements (`specificationVersion`), and
 * the gateway refuses one it does not know rather than misread it. Built-in
 * providers and your own objects implement it alike.
 */

/**
 * The signal a provider's generation runs under: the reading side of an
 * AbortSignal (`aborted`, `reason`, `abort` listeners, `throwIfAborted`),
 * so any AbortSignal is one. The gateway passes its own lighter kind, which
 * follows the client, the deadlines and shutdown without making an
 * AbortSignal per attempt (on Node 20 that cost measured 7% of a small
 * request's CPU). An API that takes only a real AbortSignal gets one from
 * `toAbortSignal(signal)`.
 */
export type GenerationSignal = CancelSignal;

/** The versions of this contract the gateway implements. */
export const providerSpecificationVersions = ['v1'] as const;
export type ProviderSpecificationVersion = (typeof providerSpecificationVersions)[number];

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';
export type ReasoningLevel = 'low' | 'medium' | 'high';

/** One turn of the conversation after validation and image ingestion. */
export interface ConversationMessage {
  role: MessageRole;
  /** The text parts of the message joined with newlines (markdown images removed). */
  text: string;
  /** Images carried by this message, already ingested (sniffed, limited, normalised). */
  images: ImageData[];
  name?: string;
  toolCallId?: string;
  toolCalls?: unknown[];
}

/**
 * What a provider receives: the OpenAI chat request reduced to the facts an
 * image provider needs. Built by `normalizeRequest` in `surfaces/chat-completions/chat-to-generation.ts` (each surface builds its own); providers never see
 * the raw HTTP body.
 */
export interface GenerationRequest {
  /** Gateway request id, for logs and upstream correlation headers. */
  requestId: string;
  /** The provider's own model id (aliases and `instance/` prefixes resolved). */
  model: string;
  /** The instruction: text of the last user message. */
  prompt: string;
  /** System messages joined, when any. */
  system?: string;
  /** The whole conversation, oldest first, including the last user message. */
  messages: ConversationMessage[];
  /**
   * Images to edit: those of the last user message, or, when it has none and
   * an earlier assistant turn produced images, the last of those.
   */
  inputImages: ImageData[];
  /** Number of images asked for (1 when not given). */
  n: number;
  /** Explicit pixel size from `size: "WxH"`. */
  size?: { width: number; height: number };
  /** Aspect ratio like "16:9" from `aspect_ratio`, `image_config.aspect_ratio` or a model suffix. */
  aspectRatio?: string;
  /** Resolution tier "1K" | "2K" | "4K" from `image_config.image_size` or a model suffix. */
  imageSize?: string;
  quality?: string;
  background?: string;
  outputFormat?: string;
  /** `output_compression` (0–100) for JPEG and WebP, from the Images API. */
  outputCompression?: number;
  /** `style` ("vivid" | "natural"), a dall-e-3 option of the Images API. */
  style?: string;
  /** `moderation` ("auto" | "low") of the Images API. */
  moderation?: string;
  /** `input_fidelity` ("high" | "low") of an Images API edit. */
  inputFidelity?: string;
  /** The edit's mask (an Images API `mask`): transparent where `inputImages[0]` may change. */
  mask?: ImageData;
  /** Partial images to stream before the final one (0–3), when the caller asked; unset: the provider's own setting. */
  partialImages?: number;
  /** The caller's end-user id (`user`), for providers that take one. */
  user?: string;
  seed?: number;
  temperature?: number;
  maxTokens?: number;
  /**
   * True when the caller may want an image (modalities, image model, or image
   * intent in the text): a hint to ask the upstream for the image modality.
   */
  wantsImage: boolean;
  /**
   * True when the request cannot be answered without an image (modalities
   * without text, an image-only model, image options, or a clear drawing
   * request): only then is a text-only answer an error (`NO_IMAGE`). Unset:
   * `wantsImage` decides, as before. A provider that checks its own answer
   * for an image (Gemini) reads it, which is why it is part of the request.
   * An optional addition to v1: providers and callers written before it keep working.
   */
  imageRequired?: boolean;
  tools?: unknown[];
  toolChoice?: unknown;
  responseFormat?: { type: string; [key: string]: unknown };
  reasoningLevel?: ReasoningLevel;
  stream: boolean;
  /**
   * Request fields the gateway does not interpret, for providers that forward them (relays): only those a
   * surface lets through by name (the chat surface: OpenAI chat fields such as `top_p`, and the `forwardFields` option).
   */
  extra: Record<string, unknown>;
}

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
  /**
   * The capabilities that are a guess from the model's name (a relay model
   * the configuration lists by id only), not declared: routing uses them to
   * choose among models (`auto`, fallback), but a model the client names is
   * never refused for one of these.
   */
  guessed?: readonly (keyof ModelCapabilities)[];
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
 * A provider instance: a small object built from injected config. The
 * gateway calls `generate` once per attempt with the attempt's signal: it
 * aborts when the client leaves, the request's deadline or the provider's
 * `timeoutMs` passes, or the gateway shuts down. Pass it to every wait and
 * upstream call (`toAbortSignal(signal)` where a real AbortSignal is
 * needed); a provider that ignores it is let go of anyway when it aborts
 * (its slot freed, its later events dropped).
 *
 * @example
 * const provider: ImageProvider = {
 *   specificationVersion: 'v1',
 *   id: 'my-engine', type: 'custom', concurrency: 2, timeoutMs: 60_000,
 *   models: [{ id: 'my-model', capabilities: { ...capabilities } }],
 *   async *generate(request, signal) {
 *     const response = await fetch('https://engine.example/draw', { method: 'POST', body: request.prompt, signal: toAbortSignal(signal) });
 *     yield { type: 'image', image: ImageData.fromBytes(new Uint8Array(await response.arrayBuffer()), 'image/png') };
 *     yield { type: 'finish', reason: 'stop' };
 *   },
 * };
 */
export interface ImageProvider {
  /** The version of this contract the provider implements; left out, it is 'v1'. */
  readonly specificationVersion?: ProviderSpecificationVersion;
  /** Instance name, unique in a gateway ("gemini", "gemini-eu", "local"). */
  readonly id: string;
  /** Provider type ("gemini", "openai", "openai-chat", "flux", "local", or your own). */
  readonly type: string;
  readonly models: readonly ModelInfo[];
  /** Calls this instance may run at once (the queue enforces it). */
  readonly concurrency: number;
  /** Longest one generation may take before it is aborted, in ms. */
  readonly timeoutMs: number;
  /** Input images as JPEG, or as sent; unset: the gateway's images.convertToJpeg decides. */
  readonly inputFormat?: 'jpeg' | 'original';
  /** A property, not a method: so the compiler holds an implementation to the contract's parameter types. */
  generate: (request: GenerationRequest, signal: GenerationSignal) => AsyncIterable<GenerationEvent>;
  /**
   * Credentials this instance sends upstream (keys, tokens). The gateway
   * cannot see inside a custom provider, so it redacts these from any error
   * text before a client or a log line sees it, as it does for configured
   * providers' keys. Values shorter than 6 characters are not matched.
   */
  readonly secrets?: readonly string[];
}
