import type { UpstreamError } from '../../errors/upstream-error.js';

export interface HealthOptions {
  failureThreshold: number;
  errorRateThreshold: number;
  /** The longest an open circuit keeps an instance out, in ms. */
  cooldownMs: number;
  /** How long a circuit first stays open, in ms; each reopening without a success doubles it, up to `cooldownMs`. */
  firstCooldownMs: number;
  now: () => number;
}

export interface InstanceHealthState {
  state: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  /** Epoch ms until which the instance is kept out (circuit or upstream retry delay). */
  unavailableUntil: number | null;
}

/**
 * A change of an instance's health that other processes should know of: an
 * upstream retry delay, a circuit opening (or reopening after a failed
 * probe), a circuit closing. Times are epoch ms on this process's clock.
 */
export type HealthTransition =
  | { kind: 'cool'; instanceId: string; coolUntil: number }
  | { kind: 'open'; instanceId: string; openUntil: number; openings: number }
  | { kind: 'close'; instanceId: string };

/** What `admit` decided: refused, admitted to a closed circuit, or admitted as a half-open circuit's one probe. */
export type Admission = 'refused' | 'admitted' | 'probe';

interface Record_ {
  consecutiveFailures: number;
  recent: boolean[];
  openUntil: number;
  coolUntil: number;
  probing: boolean;
  opened: boolean;
  /** Openings since the last success: the backoff's exponent. */
  openings: number;
}

const windowSize = 20;
const minimumSamples = 10;

/**
 * A circuit breaker per instance: consecutive failures or a high recent
 * error rate open it for a cooldown, after which one probe request may pass
 * (half-open); its outcome closes or reopens the circuit. The cooldown
 * starts short (`firstCooldownMs`) and doubles with each failed probe up to
 * `cooldownMs`, so an instance is back about one probe interval after its
 * upstream is, rather than a whole long cooldown later. An upstream 429
 * with a retry delay cools just that instance for that delay.
 */
export class InstanceHealth {
  readonly #records = new Map<string, Record_>();
  #onTransition: ((transition: HealthTransition) => void) | undefined;

  constructor(readonly options: HealthOptions) {}

  /** Hears each transition this process makes (the shared store publishes them); one listener. */
  onTransition(listener: ((transition: HealthTransition) => void) | undefined): void {
    this.#onTransition = listener;
  }

  /**
   * Applies a transition another process made (or the shared state read at
   * start): a retry delay or an open circuit only ever lengthens what this
   * process already knows; a close closes. A probe running here still
   * reports its own outcome.
   */
  applyShared(transition: HealthTransition): void {
    const record = this.#record(transition.instanceId);
    if (transition.kind === 'cool') {
      record.coolUntil = Math.max(record.coolUntil, transition.coolUntil);
    } else if (transition.kind === 'open') {
      record.openUntil = record.opened ? Math.max(record.openUntil, transition.openUntil) : transition.openUntil;
      record.opened = true;
      record.openings = Math.max(record.openings, transition.openings);
    } else if (record.opened) {
      record.opened = false;
      record.probing = false;
      record.openings = 0;
      record.consecutiveFailures = 0;
    }
  }

  #record(id: string): Record_ {
    let record = this.#records.get(id);
    if (!record) {
      record = { consecutiveFailures: 0, recent: [], openUntil: 0, coolUntil: 0, probing: false, opened: false, openings: 0 };
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
   * Epoch ms from which the instance may take work again: now (or earlier)
   * when it may take it now, or when a running probe will decide; else when
   * its cooldown or upstream retry delay ends.
   */
  reopensAt(id: string): number {
    const record = this.#record(id);
    return Math.max(record.coolUntil, record.opened ? record.openUntil : 0);
  }

  /**
   * Called when a request is about to run on the instance. A closed circuit
   * admits it; a half-open one admits it as its single probe (`'probe'`: the
   * caller reports that request's outcome with `probe` true); otherwise
   * (still open, cooling after a 429, or a probe already running) it is
   * refused, and the request must go elsewhere.
   */
  admit(id: string): Admission {
    if (!this.isAvailable(id)) return 'refused';
    const record = this.#record(id);
    if (!record.opened) return 'admitted';
    record.probing = true;
    return 'probe';
  }

  /**
   * A request succeeded. Only the probe's success closes an open circuit:
   * a call that started before it opened says little about the upstream now,
   * and closing under a running probe would let a second request through.
   */
  onSuccess(id: string, probe: boolean): void {
    const record = this.#record(id);
    this.#push(record, true);
    if (record.opened && !probe) return;
    if (record.opened) this.#onTransition?.({ kind: 'close', instanceId: id });
    record.consecutiveFailures = 0;
    record.opened = false;
    record.probing = false;
    record.openings = 0;
  }

  /**
   * Counts a failure that says something about the instance (not content
   * filters or bad requests). While the circuit is open only the probe's
   * failure counts: calls that started before it opened and fail after it
   * add nothing, so ten calls in flight neither back off ten times nor end
   * the probe that is running.
   */
  onFailure(id: string, error: UpstreamError, probe: boolean): void {
    const record = this.#record(id);
    const now = this.options.now();
    if (error.kind === 'rate_limit' && error.retryAfterMs !== undefined) {
      const coolUntil = now + error.retryAfterMs;
      if (coolUntil > record.coolUntil) {
        record.coolUntil = coolUntil;
        this.#onTransition?.({ kind: 'cool', instanceId: id, coolUntil });
      }
      if (probe) record.probing = false;
      return;
    }
    if (record.opened && !probe) return;
    record.consecutiveFailures += 1;
    this.#push(record, false);
    const failures = record.recent.filter((ok) => !ok).length;
    const rateTooHigh = record.recent.length >= minimumSamples && failures / record.recent.length >= this.options.errorRateThreshold;
    if (probe || record.consecutiveFailures >= this.options.failureThreshold || rateTooHigh) {
      const { cooldownMs, firstCooldownMs } = this.options;
      record.opened = true;
      record.openUntil = now + Math.min(cooldownMs, firstCooldownMs * 2 ** Math.min(record.openings, 30));
      record.openings += 1;
      this.#onTransition?.({ kind: 'open', instanceId: id, openUntil: record.openUntil, openings: record.openings });
    }
    record.probing = false;
  }

  /** A probe that ended without a verdict (client left) must not keep the circuit half-open forever; others change nothing. */
  onAbandon(id: string, probe: boolean): void {
    if (probe) this.#record(id).probing = false;
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
