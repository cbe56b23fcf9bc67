import type { GatewayLogger } from '../../lib/logger.js';
import type { RedisLink } from '../../store/redis/redis-link.js';
import { RedisScript } from '../../store/redis/redis-script.js';
import type { HealthTransition, InstanceHealth } from './instance-health.js';

/**
 * One transition, applied to the instance's hash in Redis time (TIME, so
 * the processes' clocks need not agree) and published, as the state that
 * results, in remaining milliseconds: every process (this one too, so that
 * all apply the same order) turns them into its own epoch.
 * KEYS[1]: the instance's hash. ARGV: kind, instance id, ms, openings, channel.
 */
const transitionScript = new RedisScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local key, kind = KEYS[1], ARGV[1]
local cool = tonumber(redis.call('HGET', key, 'coolUntil') or '0')
local opened = redis.call('HGET', key, 'opened') == '1'
local openUntil = tonumber(redis.call('HGET', key, 'openUntil') or '0')
local openings = tonumber(redis.call('HGET', key, 'openings') or '0')
if kind == 'cool' then
  cool = math.max(cool, now + tonumber(ARGV[3]))
elseif kind == 'open' then
  if not opened then openUntil = 0 end
  opened = true
  openUntil = math.max(openUntil, now + tonumber(ARGV[3]))
  openings = math.max(openings, tonumber(ARGV[4]))
else
  opened = false
  openUntil = 0
  openings = 0
end
redis.call('HSET', key, 'coolUntil', cool, 'opened', opened and '1' or '0', 'openUntil', openUntil, 'openings', openings)
redis.call('PEXPIRE', key, 86400000)
local message = cjson.encode({ kind = kind, id = ARGV[2], coolMs = math.max(0, cool - now), opened = opened, openMs = math.max(0, openUntil - now), openings = openings })
redis.call('PUBLISH', ARGV[5], message)
return message
`);

/**
 * Every instance's shared state, in remaining ms: for each key, cooling ms,
 * opened (0/1), open ms, openings. KEYS: the instances' hashes.
 */
const readScript = new RedisScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local out = {}
for index, key in ipairs(KEYS) do
  local fields = redis.call('HMGET', key, 'coolUntil', 'opened', 'openUntil', 'openings')
  out[index] = { math.max(0, tonumber(fields[1] or '0') - now), fields[2] == '1' and 1 or 0, math.max(0, tonumber(fields[3] or '0') - now), tonumber(fields[4] or '0') }
end
return out
`);

export interface SharedHealthOptions {
  instanceIds: readonly string[];
  now: () => number;
  logger?: GatewayLogger;
}

/**
 * Makes one process's circuits and retry delays every process's. Decisions
 * stay synchronous on the local `InstanceHealth`: each transition it makes
 * is written to Redis (one script, one round trip, off the request's path)
 * and published; every process applies what it hears, and reads the whole
 * shared state at start and after each reconnection, so a message lost
 * during an outage is made good. While Redis is unreachable the circuits
 * are this process's own. A half-open circuit's probe is per process: each
 * process may send one.
 *
 * @example
 * const shared = new SharedHealth(health, link, { instanceIds: ['gemini-1'], now: Date.now });
 * shared.start();
 */
export class SharedHealth {
  readonly #health: InstanceHealth;
  readonly #link: RedisLink;
  readonly #options: SharedHealthOptions;
  readonly #channel: string;
  readonly #known: Set<string>;
  #listening = false;

  constructor(health: InstanceHealth, link: RedisLink, options: SharedHealthOptions) {
    this.#health = health;
    this.#link = link;
    this.#options = options;
    this.#channel = link.key('health');
    this.#known = new Set(options.instanceIds);
  }

  start(): void {
    this.#health.onTransition((transition) => this.#publish(transition));
    this.#link.onReachability((reachable) => {
      if (reachable) this.#connect();
    });
    if (this.#link.reachable) this.#connect();
  }

  #key(instanceId: string): string {
    return this.#link.key('health', instanceId);
  }

  #connect(): void {
    if (!this.#listening) {
      this.#listening = true;
      const subscriber = this.#link.subscriber();
      subscriber.on('message', (channel: string, message: string) => {
        if (channel === this.#channel) this.#apply(message);
      });
      subscriber.subscribe(this.#channel).catch((error: Error) => this.#warn('subscribe', error));
    }
    this.#load().catch((error: Error) => this.#warn('read', error));
  }

  async #load(): Promise<void> {
    const ids = [...this.#known];
    if (ids.length === 0) return;
    const rows = (await readScript.run(
      this.#link.client,
      ids.map((id) => this.#key(id)),
      [],
    )) as [number, number, number, number][];
    const now = this.#options.now();
    rows.forEach(([coolMs, opened, openMs, openings], index) => {
      const instanceId = ids[index] as string;
      if (coolMs > 0) this.#health.applyShared({ kind: 'cool', instanceId, coolUntil: now + coolMs });
      if (opened === 1) this.#health.applyShared({ kind: 'open', instanceId, openUntil: now + openMs, openings });
    });
  }

  #publish(transition: HealthTransition): void {
    // Outage: this process's circuits are its own until the link is back (and reads the shared state).
    if (!this.#link.reachable) return;
    const now = this.#options.now();
    const ms = transition.kind === 'cool' ? transition.coolUntil - now : transition.kind === 'open' ? transition.openUntil - now : 0;
    const openings = transition.kind === 'open' ? transition.openings : 0;
    transitionScript
      .run(
        this.#link.client,
        [this.#key(transition.instanceId)],
        [transition.kind, transition.instanceId, Math.max(0, Math.round(ms)), openings, this.#channel],
      )
      .catch((error: Error) => this.#warn('write', error));
  }

  /** The state after a transition, in remaining ms (see transitionScript). */
  #apply(message: string): void {
    let state: { kind?: unknown; id?: unknown; coolMs?: unknown; opened?: unknown; openMs?: unknown; openings?: unknown };
    try {
      state = JSON.parse(message);
    } catch {
      return;
    }
    const instanceId = state.id;
    if (typeof instanceId !== 'string' || !this.#known.has(instanceId)) return;
    const now = this.#options.now();
    if (state.kind === 'close') {
      this.#health.applyShared({ kind: 'close', instanceId });
      return;
    }
    const coolMs = Number(state.coolMs);
    if (coolMs > 0) this.#health.applyShared({ kind: 'cool', instanceId, coolUntil: now + coolMs });
    if (state.opened === true) {
      this.#health.applyShared({ kind: 'open', instanceId, openUntil: now + Number(state.openMs), openings: Number(state.openings) });
    }
  }

  #warn(step: string, error: Error): void {
    this.#options.logger?.warn({ store: 'redis', step, error: error.message }, 'shared health not synchronised');
  }
}
