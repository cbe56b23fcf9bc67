import { createHash, createHmac, pbkdf2 } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../adapters/node.js';
import type { GatewayOptions, UsageEvent } from '../../src/index.js';

const key = 'sk-test-key-0123456789';
let server: GatewayServer | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function start(options: GatewayOptions): Promise<string> {
  server = createServer(options);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Puts one slow job on each libuv thread-pool thread; resolves when the first of them ends. */
function occupyThreadPool(): { firstDone: Promise<void>; busy: () => boolean } {
  const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  let done = false;
  const jobs = Array.from(
    { length: threads },
    () => new Promise<void>((resolve) => pbkdf2('password', 'salt', 200_000, 64, 'sha512', () => resolve())),
  );
  const firstDone = Promise.race(jobs).then(() => {
    done = true;
  });
  return { firstDone, busy: () => !done };
}

describe('gateway keys', () => {
  it('checks keys without waiting for the thread pool that image conversions and DNS share', { timeout: 30_000 }, async () => {
    const base = await start({ apiKeys: [key] });
    const pool = occupyThreadPool();
    const good = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    const goodAnsweredWhilePoolBusy = pool.busy();
    const bad = await fetch(`${base}/v1/models`, { headers: { authorization: 'Bearer sk-wrong-key-0123456789' } });
    const badAnsweredWhilePoolBusy = pool.busy();
    expect(good.status).toBe(200);
    expect(bad.status).toBe(401);
    expect(goodAnsweredWhilePoolBusy).toBe(true);
    expect(badAnsweredWhilePoolBusy).toBe(true);
    await pool.firstDone;
  });

  it('names keys in usage by a salted HMAC, not a bare SHA-256 anyone can recompute from a guess', async () => {
    const events: UsageEvent[] = [];
    const salt = 'key-id-salt-for-tests-0123';
    const base = await start({ apiKeys: [key], keyIdSalt: salt, onUsage: (event) => events.push(event) });
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'local-image', messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(response.status).toBe(200);
    const keyId = events[0]?.keyId;
    expect(keyId).toBe(`key_${createHmac('sha256', salt).update(key).digest('hex').slice(0, 12)}`);
    expect(keyId).not.toBe(`key_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`);
  });

  it('makes a different key id per process when no salt is configured', async () => {
    const ids: (string | undefined)[] = [];
    for (let round = 0; round < 2; round += 1) {
      const events: UsageEvent[] = [];
      const base = await start({ apiKeys: [key], onUsage: (event) => events.push(event) });
      await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'local-image', messages: [{ role: 'user', content: 'hello' }] }),
      });
      ids.push(events[0]?.keyId);
      server?.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    }
    expect(ids[0]).toMatch(/^key_[0-9a-f]{12}$/);
    expect(ids[1]).toMatch(/^key_[0-9a-f]{12}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[0]).not.toBe(`key_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`);
  });

  it('counts failed authentications per client address and logs each minute that had any', async () => {
    let clock = 1_000_000;
    const warnings: { object: Record<string, unknown>; message?: string }[] = [];
    const logger = {
      info: () => {},
      error: () => {},
      warn: (object: Record<string, unknown>, message?: string) => warnings.push({ object, message }),
    };
    const base = await start({ apiKeys: [key], logger, now: () => clock });
    const wrong = { headers: { authorization: 'Bearer sk-wrong-key-0123456789' } };
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await fetch(`${base}/v1/models`, wrong)).status).toBe(401);
    expect((await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect(warnings).toEqual([]);
    clock += 61_000;
    expect((await fetch(`${base}/v1/models`, { headers: {} })).status).toBe(401);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toBe('failed authentications');
    const byAddress = warnings[0]?.object.byAddress as Record<string, number>;
    expect(warnings[0]?.object.failedAuthentications).toBe(3);
    expect(Object.values(byAddress)).toEqual([3]);
    expect(Object.keys(byAddress)[0]).toMatch(/127\.0\.0\.1$/);
  });
});
