import type { SlotScheduler } from '../generation/admission/slot-scheduler.js';
import type { InstanceHealth } from '../generation/routing/instance-health.js';
import type { RoutePlanner } from '../generation/routing/route-planner.js';
import type { ImageData } from '../images/image-data.js';
import type { ConfigurableImageIngester } from '../images/ingest/image-ingest.js';
import type { CancelSignal } from '../lib/cancel-signal.js';
import type { RedactSecrets } from '../lib/secret-redaction.js';
import type { UsageEvent, UsageTracker } from '../observability/usage-counters.js';
import type { ResolvedGatewayOptions } from '../options.js';
import type { InflightTracker } from '../server/inflight-tracker.js';

/** Everything a request handler needs, built once per gateway. */
export interface GatewayContext {
  options: ResolvedGatewayOptions;
  planner: RoutePlanner;
  scheduler: SlotScheduler;
  health: InstanceHealth;
  usage: UsageTracker;
  ingester: ConfigurableImageIngester;
  /** Per-instance `inputFormat` from the provider configs. */
  inputFormats: ReadonlyMap<string, 'jpeg' | 'original'>;
  encodeOutput: ((image: ImageData, signal: AbortSignal) => Promise<ImageData>) | undefined;
  /** Streams register here: their work outlives the fetch call that opened them. */
  inflight: InflightTracker;
  /** Aborts every running generation when close() runs out of grace. */
  shutdownSignal: CancelSignal;
  now: () => number;
  /** Removes the providers' configured keys from error text before a client or a log sees it. */
  redactSecrets: RedactSecrets;
  /** The providers' configured keys, longest first, for taking out of model output (empty: nothing to do). */
  outputSecrets: readonly string[];
  /** Logs the request line and feeds onUsage. */
  report(event: UsageEvent): void;
}

/** Who is calling, as far as accounting cares. */
export interface CallerInfo {
  requestId: string;
  keyId?: string;
  startedAt: number;
}
