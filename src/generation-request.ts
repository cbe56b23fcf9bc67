import type { ImageData } from './images/image-data.js';

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
 * image provider needs. Built by `normalize-request.ts`; providers never see
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
  seed?: number;
  temperature?: number;
  maxTokens?: number;
  /** True when the caller asked for an image (modalities, image model, or image intent in the text). */
  wantsImage: boolean;
  tools?: unknown[];
  toolChoice?: unknown;
  responseFormat?: { type: string; [key: string]: unknown };
  reasoningLevel?: ReasoningLevel;
  stream: boolean;
  /** Request fields the gateway does not interpret, for providers that forward them (relays). */
  extra: Record<string, unknown>;
}
