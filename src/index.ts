export type { ImageGateway } from './gateway/create-gateway.js';
export { createImageGateway } from './gateway/create-gateway.js';
export type { AuthenticationResult, GatewayLogger, GatewayOptions } from './gateway/gateway-options.js';
export type { GatewayStats, ProviderStats } from './gateway/gateway-stats.js';
export type { ErrorType } from './http/gateway-error.js';
export { GatewayError } from './http/gateway-error.js';
export { ImageData } from './images/image-data.js';
export type { ImageOptions } from './images/image-options.js';
export type { ProviderConfig } from './providers/provider-config.js';
export type {
  FinishReason,
  GenerationEvent,
  GenerationUsage,
  ImageProvider,
  ModelCapabilities,
  ModelInfo,
  ProviderContext,
} from './providers/provider-types.js';
export type { UpstreamErrorKind } from './providers/upstream-error.js';
export { UpstreamError } from './providers/upstream-error.js';
export type { SlotStore } from './queue/slot-store.js';
export type { ConversationMessage, GenerationRequest } from './request/generation-request.js';
export type { UsageCounters, UsageEvent } from './routing/usage-tracker.js';
