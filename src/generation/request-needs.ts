import type { ReasoningLevel } from '../generation-request.js';
import type { ChatRequest } from '../surfaces/chat-completions/chat-request-schema.js';

/** What a request needs from a model (seed 002's capability table). */
export interface RequestNeeds {
  imageOutput: boolean;
  imageInputs: number;
  tools: boolean;
  jsonMode: boolean;
  /** Estimated prompt size in tokens. */
  promptTokens: number;
  reasoning?: ReasoningLevel;
  images: number;
}

const tokensPerImage = 258;

/** Roughly four characters a token: good enough to rule out models whose window is clearly too small. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function detectNeeds(request: ChatRequest, imageInputs: number, wantsImage: boolean): RequestNeeds {
  let characters = 0;
  for (const message of request.messages) {
    if (typeof message.content === 'string') characters += message.content.length;
    else if (Array.isArray(message.content)) {
      for (const part of message.content) if (part.type === 'text') characters += part.text.length;
    }
  }
  return {
    imageOutput: wantsImage,
    imageInputs,
    tools: (request.tools?.length ?? 0) > 0 && request.tool_choice !== 'none',
    jsonMode: request.response_format?.type === 'json_object' || request.response_format?.type === 'json_schema',
    promptTokens: Math.ceil(characters / 4) + imageInputs * tokensPerImage,
    reasoning: request.min_reasoning_level ?? undefined,
    images: request.n ?? 1,
  };
}
