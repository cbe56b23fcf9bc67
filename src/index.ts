export type { ErrorType } from './errors/gateway-error.js';
export { GatewayError } from './errors/gateway-error.js';
export { ImageGatewayError } from './errors/image-gateway-error.js';
export type { UpstreamErrorKind } from './errors/upstream-error.js';
export { UpstreamError } from './errors/upstream-error.js';
export type { ImageGateway } from './gateway.js';
export { createImageGateway } from './gateway.js';
export type { SlotStore } from './generation/admission/slot-store.js';
export type { ConversationMessage, GenerationRequest } from './generation-request.js';
export { ImageData } from './images/image-data.js';
export type { ImageOptions } from './images/image-options.js';
export type { GatewayStats, ProviderStats } from './observability/gateway-stats.js';
export type { UsageCounters, UsageEvent } from './observability/usage-counters.js';
export type { AuthenticationResult, GatewayLogger, GatewayOptions } from './options.js';
export type {
  FinishReason,
  GenerationEvent,
  GenerationUsage,
  ImageProvider,
  ModelCapabilities,
  ModelInfo,
  ProviderContext,
} from './provider.js';
export type { ProviderConfig } from './providers/shared/provider-config.js';
