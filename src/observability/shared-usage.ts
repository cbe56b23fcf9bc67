import type { GatewayLogger } from '../lib/logger.js';
import type { RedisLink } from '../store/redis/redis-link.js';
import { RedisScript } from '../store/redis/redis-script.js';
import { emptyCounters, evictedRow, type UsageCounters, UsageCounterTable, type UsageTableLimits } from './usage-counters.js';
import type { UsageEvent } from './usage-event.js';

/** The six counters of a row, in the order they travel and are stored: "requests failed images prompt completion total". */
const fields = ['requests', 'failed', 'images', 'promptTokens', 'completionTokens', 'totalTokens'] as const;

/**
 * Adds rows to one table in Redis, as a hash (name → the six counters,
 * space-separated) and a sorted set of names by when last counted. Past
 * ARGV[1] names, the least recently counted are folded into `(evicted)`, as
 * the in-process table does. KEYS: the hash, the sorted set. ARGV: limit,
 * then per row: name and its six counters.
 */
const addRowsScript = new RedisScript(`
local rows, recent, limit = KEYS[1], KEYS[2], tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local function add(name, deltas)
  local current = redis.call('HGET', rows, name)
  local values = {}
  local index = 1
  if current then for value in string.gmatch(current, '%S+') do values[index] = tonumber(value); index = index + 1 end end
  for field = 1, 6 do values[field] = (values[field] or 0) + deltas[field] end
  redis.call('HSET', rows, name, table.concat(values, ' '))
end
for start = 2, #ARGV, 7 do
  local name = ARGV[start]
  local deltas = {}
  for field = 1, 6 do deltas[field] = tonumber(ARGV[start + field]) end
  add(name, deltas)
  if name ~= '${evictedRow}' then redis.call('ZADD', recent, now, name) end
end
local over = redis.call('ZCARD', recent) - limit
if over > 0 then
  for _, name in ipairs(redis.call('ZRANGE', recent, 0, over - 1)) do
    local current = redis.call('HGET', rows, name)
    if current then
      local deltas = {}
      local index = 1
      for value in string.gmatch(current, '%S+') do deltas[index] = tonumber(value); index = index + 1 end
      add('${evictedRow}', deltas)
      redis.call('HDEL', rows, name)
    end
  end
  redis.call('ZREMRANGEBYRANK', recent, 0, over - 1)
end
return 1
`);

/** A table's rows as a flat [name, counters, ...] list: through a script, so no client turns a name like "__proto__" into a prototype. */
const readRowsScript = new RedisScript("return redis.call('HGETALL', KEYS[1])");

export interface SharedUsageOptions {
  limits: UsageTableLimits;
  /** How often this process's counts go to Redis, in ms (one round trip per table, off the requests' path). */
  flushEveryMs?: number;
  /** How old the shared view may be before `stats()` starts a fresh read, in ms. */
  maxViewAgeMs?: number;
  now: () => number;
  logger?: GatewayLogger;
}

/** The usage figures `stats()` reports with a Redis store: every process's, as last read. */
export interface SharedUsageView {
  projects: Record<string, UsageCounters>;
  keys: Record<string, UsageCounters>;
  /** Epoch ms of the read; null before the first one completed. */
  readAt: number | null;
}

/**
 * Usage counters per project and key added up across every gateway process
 * on one Redis. Requests are counted in memory as always; every
 * `flushEveryMs` (and at close) the counts since the last flush go to Redis
 * in one script per table, so the request path has no round trip. A flush
 * that fails (Redis unreachable) keeps its counts for the next one, within
 * the same bounds as the tables. `stats()` stays synchronous: it reports the
 * shared totals as last read (`readAt`), and a call that finds them older
 * than `maxViewAgeMs` starts a fresh read in the background.
 *
 * @example
 * const usage = new SharedUsage(link, { limits: { maxProjects: 10_000, maxKeys: 10_000 }, now: Date.now });
 * usage.record(event); // with each request
 * usage.view(); // { projects, keys, readAt }
 */
export class SharedUsage {
  readonly #link: RedisLink;
  readonly #options: SharedUsageOptions;
  readonly #timer: ReturnType<typeof setInterval>;
  #pending: UsageCounterTable;
  #flushing: Promise<void> | undefined;
  #reading: Promise<void> | undefined;
  #view: SharedUsageView = { projects: {}, keys: {}, readAt: null };
  #readStartedAt = -Infinity;

  constructor(link: RedisLink, options: SharedUsageOptions) {
    this.#link = link;
    this.#options = options;
    this.#pending = new UsageCounterTable(options.limits);
    this.#timer = setInterval(() => void this.flush(), options.flushEveryMs ?? 250);
    // Counting must not keep a process alive that has nothing else to do.
    this.#timer.unref?.();
  }

  record(event: UsageEvent): void {
    this.#pending.record(event);
  }

  /** The shared totals as last read; starts a fresh read when they are older than `maxViewAgeMs`. */
  view(): SharedUsageView {
    const now = this.#options.now();
    if (this.#reading === undefined && now - this.#readStartedAt >= (this.#options.maxViewAgeMs ?? 1_000)) {
      this.#readStartedAt = now;
      this.#reading = this.refresh().finally(() => {
        this.#reading = undefined;
      });
    }
    return this.#view;
  }

  /** Reads the shared totals now (after flushing this process's counts). */
  async refresh(): Promise<void> {
    await this.flush();
    if (!this.#link.reachable) return;
    try {
      const client = this.#link.client;
      const [projects, keys] = (await Promise.all([
        readRowsScript.run(client, [this.#rowsKey('projects')], []),
        readRowsScript.run(client, [this.#rowsKey('keys')], []),
      ])) as [string[], string[]];
      this.#view = { projects: parseRows(projects), keys: parseRows(keys), readAt: this.#options.now() };
    } catch (error) {
      this.#warn('read', error as Error);
    }
  }

  /** Sends the counts since the last flush; on failure they wait for the next one. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushOnce().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops the timer and sends what is left. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #flushOnce(): Promise<void> {
    const sending = this.#pending;
    const projects = sending.projects();
    const keys = sending.keys();
    if (isEmpty(projects) && isEmpty(keys)) return;
    if (!this.#link.reachable) return;
    this.#pending = new UsageCounterTable(this.#options.limits);
    try {
      const client = this.#link.client;
      const { maxProjects, maxKeys } = this.#options.limits;
      await Promise.all([
        isEmpty(projects)
          ? undefined
          : addRowsScript.run(client, [this.#rowsKey('projects'), this.#recentKey('projects')], rowArgs(maxProjects, projects)),
        isEmpty(keys) ? undefined : addRowsScript.run(client, [this.#rowsKey('keys'), this.#recentKey('keys')], rowArgs(maxKeys, keys)),
      ]);
    } catch (error) {
      // Counted again with what came since: nothing is lost, and the bounds still hold. (A script that ran but
      // whose answer was lost would count twice; a timeout after the write is the one way to get there.)
      sending.merge(this.#pending);
      this.#pending = sending;
      this.#warn('write', error as Error);
    }
  }

  #rowsKey(table: 'projects' | 'keys'): string {
    return this.#link.key('usage', table);
  }

  #recentKey(table: 'projects' | 'keys'): string {
    return this.#link.key('usage', table, 'recent');
  }

  #warn(step: string, error: Error): void {
    // An outage is already logged once by the link; this is for a Redis that answers with an error.
    if (this.#link.reachable)
      this.#options.logger?.warn({ store: 'redis', step, error: error.message }, 'shared usage counters not synchronised');
  }
}

function isEmpty(table: Record<string, UsageCounters>): boolean {
  for (const _ in table) return false;
  return true;
}

function rowArgs(limit: number, table: Record<string, UsageCounters>): (string | number)[] {
  const args: (string | number)[] = [limit];
  for (const name in table) {
    const counters = table[name] as UsageCounters;
    args.push(name);
    for (const field of fields) args.push(counters[field]);
  }
  return args;
}

function parseRows(flat: readonly string[]): Record<string, UsageCounters> {
  const table: Record<string, UsageCounters> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) {
    const name = flat[index] as string;
    const values = (flat[index + 1] as string).split(' ').map(Number);
    const counters = emptyCounters();
    fields.forEach((field, index) => {
      counters[field] = values[index] ?? 0;
    });
    Object.defineProperty(table, name, { value: counters, enumerable: true, writable: true, configurable: true });
  }
  return table;
}
