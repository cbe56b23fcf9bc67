import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-link.js';

/**
 * A Lua script run by its SHA1 (EVALSHA), sent whole only when the server
 * does not know it yet (after a restart or on a new Cluster node): one round
 * trip per call in the common case, and no method added to a client that
 * may be the caller's own.
 *
 * @example
 * const bump = new RedisScript("return redis.call('INCR', KEYS[1])");
 * await bump.run(link.client, [link.key('n')], []);
 */
export class RedisScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
