import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { Agent, request } from 'undici';
import { raceAbort } from '../../lib/race-abort.js';
import type { HostResolver, RemoteConnector } from './image-remote-types.js';

/**
 * The system resolver, every address at once so the guard can judge them all.
 * `dns.lookup` cannot be cancelled, so the caller is released on abort instead.
 */
export const systemResolver: HostResolver = async (hostname, signal) => {
  const addresses = await raceAbort(lookup(hostname, { all: true, verbatim: true }), signal);
  return addresses.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

/**
 * Connects with undici to the address the guard approved. The agent's
 * `lookup` answers with that address whatever name it is asked for, so a DNS
 * answer that changes between check and connect (rebinding) is never used;
 * TLS still verifies the certificate against the URL's host name.
 *
 * @example
 * const connect = createPinnedConnector();
 * const response = await connect({ url, address: '93.184.215.14', family: 4, headers: {} }, signal);
 */
export function createPinnedConnector(): RemoteConnector {
  return async (target, signal) => {
    const pinned: LookupAddress = { address: target.address, family: target.family };
    const agent = new Agent({
      connections: 1,
      connect: {
        lookup: (_hostname: string, options: { all?: boolean }, callback: (...args: any[]) => void) => {
          if (options.all) callback(null, [pinned]);
          else callback(null, pinned.address, pinned.family);
        },
      },
    });
    try {
      const response = await request(target.url, { method: 'GET', headers: target.headers, signal, dispatcher: agent });
      return {
        status: response.statusCode,
        header: (name) => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        },
        body: response.body,
        close: async () => {
          // Destroying an unread body emits an AbortError nobody waits for; it is expected here.
          response.body.on('error', () => {});
          response.body.destroy();
          await agent.destroy();
        },
      };
    } catch (error) {
      await agent.destroy();
      throw error;
    }
  };
}
