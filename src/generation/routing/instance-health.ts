import type { UpstreamError } from '../../errors/upstream-error.js';

export interface HealthOptions {
  failureThreshold: number;
  errorRateThreshold: number;
  cooldownMs: number;
  now: () => number;
}

export interface InstanceHealthState {
  state: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  /** Epoch ms until which the instance is kept out (circuit or upstream retry delay). */
  unavailableUntil: number | null;
}

interface Record_ {
  consecutiveFailures: number;
  recent: boolean[];
  openUntil: number;
  coolUntil: number;
  probing: boolean;
  opened: boolean;
}

const windowSize = 20;
const minimumSamples = 10;

/**
 * A circuit breaker per instance: consecutive failures or a high recent
 * error rate open it for a cooldown, after which one probe request may pass
 * (half-open); its outcome closes or reopens the circuit. An upstream 429
 * with a retry delay cools just that instance for that delay.
 */
export class InstanceHealth {
  readonly #records = new Map<string, Record_>();

  constructor(readonly options: HealthOptions) {}

  #record(id: string): Record_ {
    let record = this.#records.get(id);
    if (!record) {
      record = { consecutiveFailures: 0, recent: [], openUntil: 0, coolUntil: 0, probing: false, opened: false };
      this.#records.set(id, record);
    }
    return record;
  }

  /** True when the instance may take a request now (closed, or half-open with no probe running). */
  isAvailable(id: string): boolean {
    const record = this.#record(id);
    const now = this.options.now();
    if (record.coolUntil > now) return false;
    if (!record.opened) return true;
    return record.openUntil <= now && !record.probing;
  }

  /**
   * Called when a request is about to run on the instance. A closed circuit
   * admits it; a half-open one admits it as its single probe; otherwise
   * (still open, cooling after a 429, or a probe already running) it is
   * refused, and the request must go elsewhere.
   */
  admit(id: string): boolean {
    if (!this.isAvailable(id)) return false;
    const record = this.#record(id);
    if (record.opened) record.probing = true;
    return true;
  }

  onSuccess(id: string): void {
    const record = this.#record(id);
    record.consecutiveFailures = 0;
    record.opened = false;
    record.probing = false;
    this.#push(record, true);
  }

  /** Counts a failure that says something about the instance (not content filters or bad requests). */
  onFailure(id: string, error: UpstreamError): void {
    const record = this.#record(id);
    const now = this.options.now();
    if (error.kind === 'rate_limit' && error.retryAfterMs !== undefined) {
      record.coolUntil = Math.max(record.coolUntil, now + error.retryAfterMs);
      record.probing = false;
      return;
    }
    record.consecutiveFailures += 1;
    this.#push(record, false);
    const failures = record.recent.filter((ok) => !ok).length;
    const rateTooHigh = record.recent.length >= minimumSamples && failures / record.recent.length >= this.options.errorRateThreshold;
    if (record.probing || record.consecutiveFailures >= this.options.failureThreshold || rateTooHigh) {
      record.opened = true;
      record.openUntil = now + this.options.cooldownMs;
    }
    record.probing = false;
  }

  /** A probe that ended without a verdict (client left) must not keep the circuit half-open forever. */
  onAbandon(id: string): void {
    this.#record(id).probing = false;
  }

  #push(record: Record_, ok: boolean): void {
    record.recent.push(ok);
    if (record.recent.length > windowSize) record.recent.shift();
  }

  /** Whole seconds (at least 1) until the first of `ids` may take work again: a Retry-After for PROVIDER_UNAVAILABLE. */
  secondsUntilAvailable(ids: readonly string[]): number {
    const until = ids.map((id) => this.state(id).unavailableUntil).filter((value): value is number => value !== null);
    return until.length > 0 ? Math.max(1, Math.ceil((Math.min(...until) - this.options.now()) / 1000)) : 1;
  }

  state(id: string): InstanceHealthState {
    const record = this.#record(id);
    const now = this.options.now();
    const until = Math.max(record.opened ? record.openUntil : 0, record.coolUntil);
    return {
      state: !record.opened ? 'closed' : record.openUntil > now ? 'open' : 'half-open',
      consecutiveFailures: record.consecutiveFailures,
      unavailableUntil: until > now ? until : null,
    };
  }
}

/**
 * Whether an upstream failure says the instance is unwell (as opposed to the
 * request being refused). An instance that answers an image request without
 * an image is: a relay that lost its image backend answers text all day.
 */
export function countsAgainstHealth(error: UpstreamError): boolean {
  return error.kind !== 'content_filter' && error.kind !== 'bad_request';
}
