import type { GatewayLogger } from '../lib/logger.js';

/** How long one tally window lasts before its counts are logged. */
const windowMs = 60_000;
/** Distinct client addresses tracked per window; the rest count together as `other`. */
const maxAddresses = 1_000;
/** Addresses named in the log line, most failures first. */
const addressesLogged = 10;

/**
 * Counts failed authentications per client address, so a flood of wrong
 * keys shows in the log instead of only as many single "request rejected"
 * lines. The table holds at most `maxAddresses` addresses a window: an
 * attacker rotating addresses fills it and the rest add up under `other`,
 * never growing memory. The first failure after a window ends logs that
 * window (a warning with the total and the ten busiest addresses) and starts
 * the next one, so no timer runs while nobody fails.
 *
 * @example
 * const tally = new FailedAuthTally(logger, Date.now);
 * tally.record('203.0.113.7');
 */
export class FailedAuthTally {
  #counts = new Map<string, number>();
  #other = 0;
  #total = 0;
  #windowStart: number;

  constructor(
    private readonly logger: GatewayLogger | undefined,
    private readonly now: () => number,
  ) {
    this.#windowStart = now();
  }

  /** Counts one failure from `address` (undefined when the host does not know it). */
  record(address: string | undefined): void {
    const at = this.now();
    if (at - this.#windowStart >= windowMs) this.#flush(at);
    this.#total += 1;
    const key = address ?? 'unknown';
    const count = this.#counts.get(key);
    if (count !== undefined) this.#counts.set(key, count + 1);
    else if (this.#counts.size < maxAddresses) this.#counts.set(key, 1);
    else this.#other += 1;
  }

  #flush(at: number): void {
    if (this.#total > 0) {
      const busiest = [...this.#counts].sort((a, b) => b[1] - a[1]).slice(0, addressesLogged);
      this.logger?.warn(
        {
          failedAuthentications: this.#total,
          windowSeconds: Math.round((at - this.#windowStart) / 1000),
          byAddress: Object.fromEntries(busiest),
          otherAddresses: this.#other,
          distinctAddresses: this.#counts.size,
        },
        'failed authentications',
      );
    }
    this.#counts = new Map();
    this.#other = 0;
    this.#total = 0;
    this.#windowStart = at;
  }
}
