// The public API of `image-gateway`: every name a user may import, and nothing else.
export type { ErrorType } from './errors/gateway-error.js';
export { GatewayError } from './errors/gateway-error.js';
export { ImageGatewayError } from './errors/image-gateway-error.js';
export type { UpstreamErrorKind } from './errors/upstream-error.js';
export { UpstreamError } from './errors/upstream-error.js';
export type { ImageGateway } from './gateway.js';
export { createImageGateway } from './gateway.js';
export type { SlotStore } from './generation/admission/slot-store.js';
export { ImageData } from './images/image-data.js';
export type { ImageOptions } from './images/image-options.js';
export { toAbortSignal } from './lib/cancel-signal.js';
export type { GatewayLogger } from './lib/logger.js';
export type { GatewayStats, ProviderStats } from './observability/gateway-stats.js';
export type { UsageCounters } from './observability/usage-counters.js';
export type { UsageEvent } from './observability/usage-event.js';
export type { GatewayOptions } from './options.js';
export type {
  ConversationMessage,
  FinishReason,
  GenerationEvent,
  GenerationRequest,
  GenerationSignal,
  GenerationUsage,
  ImageProvider,
  ModelCapabilities,
  ModelInfo,
  ProviderSpecificationVersion,
} from './provider.js';
export type { ProviderConfig } from './providers/shared/provider-config.js';
export type { ProviderContext } from './providers/shared/provider-context.js';
export type { AuthenticationResult } from './server/auth.js';
export type { BlobEntry, BlobStore, BlobStoreStats, StoredBlob } from './store/blob-store.js';
