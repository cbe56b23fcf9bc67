import { expect, it, vi } from 'vitest';
import { createImageGateway } from '../../src/index.js';

// As if the optional peer were not installed: loading it fails the way a missing package does.
vi.mock('ioredis', () => {
  throw Object.assign(new Error("Cannot find package 'ioredis'"), { code: 'ERR_MODULE_NOT_FOUND' });
});

it('says at start which optional peer a Redis store needs, and refuses work rather than ignore the limits', async () => {
  const lines: { object: Record<string, unknown>; message?: string }[] = [];
  const logger = { info() {}, warn() {}, error: (object: Record<string, unknown>, message?: string) => lines.push({ object, message }) };
  const gateway = createImageGateway({ store: { type: 'redis', url: 'redis://127.0.0.1:1' }, logger });
  try {
    await vi.waitFor(() => expect(lines).toHaveLength(1));
    expect(lines[0]?.message).toBe('shared store not opened');
    expect(String(lines[0]?.object.error)).toMatch(/optional peer dependency "ioredis".*npm install ioredis/);
    const answer = await gateway.fetch(
      new Request('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'draw a cat' }] }),
      }),
    );
    expect(answer.status).toBe(503);
    expect((await answer.json()).error.code).toBe('STORE_UNAVAILABLE');
  } finally {
    await gateway.close();
  }
});

it('leaves ioredis alone with the memory store, the default: nothing of the gateway imports it until asked', async () => {
  const errors: unknown[] = [];
  const gateway = createImageGateway({ logger: { info() {}, warn() {}, error: (object) => errors.push(object) } });
  try {
    const health = await gateway.fetch(new Request('http://gateway.test/healthz'));
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(gateway.stats().store).toEqual({ type: 'memory', reachable: true });
    expect(errors).toEqual([]);
  } finally {
    await gateway.close();
  }
});
