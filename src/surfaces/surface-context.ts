import type { GenerationService } from '../generation/generation-service.js';
import type { ImageOutputEncoder } from '../images/image-output.js';
import type { ConfigurableImageIngester } from '../images/ingest/image-ingest.js';
import type { RedactSecrets } from '../lib/secret-redaction.js';
import type { ReportUsage } from '../observability/usage-reporter.js';
import type { ResolvedGatewayOptions } from '../options.js';
import type { InflightTracker } from '../server/inflight-tracker.js';
import type { BlobStore } from '../store/blob-store.js';

/** What every surface's handlers share, built once per gateway; what is per request travels in the `Exchange`. */
export interface SurfaceContext {
  options: ResolvedGatewayOptions;
  /** Routing, admission and dispatch: the surface-independent core. */
  generation: GenerationService;
  ingester: ConfigurableImageIngester;
  /** Re-encoders to each output format, for surfaces whose client names one per request (`output_format`). */
  encodeImageAs: Readonly<Record<'png' | 'jpeg' | 'webp', ImageOutputEncoder>>;
  /** Streams register here: their work outlives the call that opened them, and close() waits for it. */
  inflight: InflightTracker;
  /** The usage record of each request that reached dispatch. */
  report: ReportUsage;
  /** Removes the providers' configured keys from error text before a client or a log sees it. */
  redactSecrets: RedactSecrets;
  /** Hosted image files and stored results (the `blobs` option, resolved once per gateway). */
  blobs: BlobStore;
  now: () => number;
}
