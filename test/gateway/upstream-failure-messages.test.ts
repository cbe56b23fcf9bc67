import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../src/gateway.js';
import { type FaultRelayFake, startFaultRelayFake } from '../fakes/fault-relay-fake.js';
import { postChat } from '../helpers/gateway-client.js';

const fakes: FaultRelayFake[] = [];
const gateways: ImageGateway[] = [];

afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

/** A loopback port nothing listens on (any more). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function relayGateway(baseURL: string, lines: string[], extra: Record<string, unknown> = {}): ImageGateway {
  const record = (fields: unknown, message: string) => lines.push(JSON.stringify([fields, message]));
  const gateway = createImageGateway({
    providers: [{ type: 'openai-chat', name: 'relay', baseURL, apiKey: 'sk-relay-key-000000000000', models: ['gpt-4o-image'] }],
    logger: { info: record, warn: record, error: record },
    ...extra,
  });
  gateways.push(gateway);
  return gateway;
}

const drawCat = { model: 'gpt-4o-image', messages: [{ role: 'user', content: 'draw a red cat' }] };

describe('a network failure reaches the client as a fixed sentence, and the log in detail', () => {
  it('connection refused: "could not be reached", with neither the error code nor the upstream address', async () => {
    const port = await closedPort();
    const lines: string[] = [];
    const response = await postChat(relayGateway(`http://127.0.0.1:${port}/v1`, lines), drawCat);
    expect(response.status).toBe(502);
    const { error } = await response.json();
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', type: 'server_error' });
    expect(error.message).toBe('Provider "relay" failed: the upstream provider could not be reached');
    const log = lines.join('\n');
    expect(log).toContain('ECONNREFUSED');
    expect(log).toContain(`127.0.0.1:${port}`);
  });

  it('a TLS handshake with a server that speaks plain HTTP: "a secure connection … could not be established"', async () => {
    const plain = await startFaultRelayFake('image');
    fakes.push(plain);
    const lines: string[] = [];
    const response = await postChat(relayGateway(`${plain.url.replace('http:', 'https:')}/v1`, lines), drawCat);
    expect(response.status).toBe(502);
    const { error } = await response.json();
    expect(error.message).toBe('Provider "relay" failed: a secure connection to the upstream provider could not be established');
    expect(error.message).not.toMatch(/EPROTO|SSL|127\.0\.0\.1/);
    expect(lines.join('\n')).toMatch(/EPROTO|ERR_SSL/);
  });

  it('a connection reset mid-answer: "closed the connection before its answer was complete"', async () => {
    const resetting = await startFaultRelayFake('reset-after-role');
    fakes.push(resetting);
    const lines: string[] = [];
    const response = await postChat(relayGateway(`${resetting.url}/v1`, lines), { ...drawCat, stream: true });
    const text = await response.text();
    expect(text).toContain('the upstream provider closed the connection before its answer was complete');
    expect(text).not.toContain(resetting.url);
    expect(text).not.toContain('INTERNAL_ERROR');
  });
});

describe('an upstream Retry-After is capped at the cooldown (routing.cooldownMs)', () => {
  it.each([
    ['seconds', '99999999999'],
    ['an HTTP date', 'Thu, 01 Jan 2099 00:00:00 GMT'],
  ])('retry-after in %s: the instance cools 30 s at most, and the client is told as much', async (_form, value) => {
    const limited = await startFaultRelayFake('retry-after');
    limited.retryAfter = value;
    fakes.push(limited);
    // A wait budget shorter than the cooldown: the next request is answered at once, not queued until it ends.
    const gateway = relayGateway(`${limited.url}/v1`, [], { queue: { maxWaitMs: 1_000 } });
    const startedAt = Date.now();
    const response = await postChat(gateway, drawCat);
    expect(response.status).toBe(429);
    expect((await response.json()).error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    const until = gateway.stats().providers.relay?.health.unavailableUntil ?? 0;
    expect(until).toBeGreaterThan(startedAt);
    expect(until).toBeLessThanOrEqual(Date.now() + 30_000);
    // While it cools, the next request is told when to come back, within the same bound.
    const next = await postChat(gateway, drawCat);
    expect(next.status).toBe(503);
    expect(Number(next.headers.get('retry-after'))).toBeLessThanOrEqual(30);
  });

  it('follows a shorter routing.cooldownMs', async () => {
    const limited = await startFaultRelayFake('retry-after');
    limited.retryAfter = '99999999999';
    fakes.push(limited);
    const gateway = relayGateway(`${limited.url}/v1`, [], { routing: { cooldownMs: 5_000 } });
    const response = await postChat(gateway, drawCat);
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(5);
  });
});
