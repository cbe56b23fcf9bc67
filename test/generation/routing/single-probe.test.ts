import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../../adapters/node.js';
import { InstanceHealth } from '../../../src/generation/routing/instance-health.js';
import { UpstreamError } from '../../../src/index.js';
import { type HeldRelayFake, startHeldRelayFake } from '../../fakes/held-relay-fake.js';
import { waitFor } from '../../helpers/gateway-client.js';

/** Review of issue 18 item 4: a half-open circuit admits exactly one probe, whatever the calls that were running when it opened do. */
let server: GatewayServer | undefined;
let relay: HeldRelayFake | undefined;
afterEach(async () => {
  if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
  server = undefined;
  await relay?.close();
  relay = undefined;
});

function post(url: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'held-image', messages: [{ role: 'user', content: 'draw a cat' }] }),
    signal,
  });
}

describe('a half-open circuit over real sockets', () => {
  it('keeps its one probe when a call that was running before it opened is abandoned by its client', async () => {
    let time = 5_000_000;
    relay = await startHeldRelayFake();
    server = createServer({
      providers: [{ type: 'openai-chat', name: 'relay-0', baseURL: relay.url, models: ['held-image'], concurrency: 8 }],
      routing: { failureThreshold: 3, firstCooldownMs: 1_000, cooldownMs: 30_000 },
      queue: { maxWaitMs: 10_000 },
      now: () => time,
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const stats = () => server?.gateway.stats().providers['relay-0'];

    relay.mode = 'hold';
    const leaving = new AbortController();
    const old = post(url, leaving.signal).catch(() => 'aborted');
    await relay.waitForHeld(1);
    relay.mode = 'fail';
    for (let index = 0; index < 3; index += 1) expect((await post(url)).status).toBe(502);
    expect(stats()?.health.state).toBe('open');

    time += 1_001;
    relay.mode = 'hold';
    const probe = post(url);
    await relay.waitForHeld(2);
    leaving.abort();
    expect(await old).toBe('aborted');
    await waitFor(() => stats()?.active === 1);

    // The probe still runs: the next request waits for its verdict instead of reaching the upstream beside it.
    const next = post(url);
    await waitFor(() => (stats()?.active ?? 0) + (stats()?.waiting.nonStream ?? 0) === 2);
    expect(stats()?.waiting.nonStream).toBe(1);
    expect(relay.held).toBe(1);

    relay.mode = 'answer';
    relay.releaseAll();
    expect((await probe).status).toBe(200);
    expect((await next).status).toBe(200);
    expect(stats()?.health.state).toBe('closed');
  });
});

describe('InstanceHealth', () => {
  const failure = new UpstreamError({ provider: 'a', kind: 'server', status: 503, message: 'overloaded' });
  const rateLimited = new UpstreamError({ provider: 'a', kind: 'rate_limit', status: 429, message: 'slow down', retryAfterMs: 50 });

  function opened() {
    let time = 1_000_000;
    const health = new InstanceHealth({
      failureThreshold: 1,
      errorRateThreshold: 1,
      cooldownMs: 60_000,
      firstCooldownMs: 1_000,
      now: () => time,
    });
    expect(health.admit('a')).toBe('admitted');
    health.onFailure('a', failure, false);
    expect(health.state('a').state).toBe('open');
    time += 1_001;
    expect(health.admit('a')).toBe('probe');
    return { health, advance: (ms: number) => (time += ms) };
  }

  it('does not take a late failure of a call that started before the circuit opened as the probe failing', () => {
    const { health, advance } = opened();
    health.onFailure('a', failure, false);
    expect(health.state('a').state).toBe('half-open');
    advance(10_000);
    expect(health.admit('a')).toBe('refused');
    health.onFailure('a', failure, true);
    // The probe's own failure backs off once: 2 s, the second step.
    expect(health.state('a').unavailableUntil).toBe(1_000_000 + 1_001 + 10_000 + 2_000);
  });

  it('keeps the probe running through a late 429, a late success and a late abandon of other calls', () => {
    const { health, advance } = opened();
    health.onFailure('a', rateLimited, false);
    health.onAbandon('a', false);
    health.onSuccess('a', false);
    expect(health.isAvailable('a')).toBe(false);
    expect(health.admit('a')).toBe('refused');
    health.onSuccess('a', true);
    expect(health.state('a').state).toBe('closed');
    // The 429's own short delay still holds.
    expect(health.admit('a')).toBe('refused');
    advance(50);
    expect(health.admit('a')).toBe('admitted');
  });
});

describe('routing.firstCooldownMs', () => {
  it('is refused at start below 100 ms, which would be no backoff at all', () => {
    expect(() => createServer({ providers: [{ type: 'local' }], routing: { firstCooldownMs: 0 } })).toThrow(
      /options\.routing\.firstCooldownMs: must be at least 100 ms \(got 0\)/,
    );
    const accepted = createServer({ providers: [{ type: 'local' }], routing: { firstCooldownMs: 100 } });
    return accepted.gateway.close();
  });
});
