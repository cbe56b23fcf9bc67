import { GatewayError } from '../../errors/gateway-error.js';
import { UpstreamError } from '../../errors/upstream-error.js';

/** Bucket bounds the OpenTelemetry GenAI conventions give for durations, in seconds. */
export const genAiDurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** Bucket bounds the OpenTelemetry GenAI conventions give for token counts. */
export const genAiTokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/**
 * `gen_ai.operation.name` of a surface: "chat" for the chat and Responses
 * APIs (the conventions' own name), the gateway's own for the Images API,
 * which the conventions have no name for.
 */
export function operationName(surface: string | undefined): string {
  if (surface === '/v1/images/generations') return 'image_generation';
  if (surface === '/v1/images/edits') return 'image_edit';
  return 'chat';
}

/** `gen_ai.operation.name` of one upstream call, by the API the provider type speaks. */
export function upstreamOperationName(type: string): string {
  if (type === 'gemini') return 'generate_content';
  if (type === 'openai-chat') return 'chat';
  return 'image_generation';
}

/** `gen_ai.provider.name` of a provider type: the conventions' name where they have one, else the type. */
export function providerName(type: string): string {
  return type === 'gemini' ? 'gcp.gemini' : type;
}

/**
 * `error.type` of a failure: the upstream failure's kind, the gateway's error
 * code, or `_OTHER` (the conventions' fallback), never a message.
 */
export function errorType(error: unknown): string {
  if (UpstreamError.isInstance(error)) return error.kind;
  if (error instanceof GatewayError) return error.code;
  return '_OTHER';
}
