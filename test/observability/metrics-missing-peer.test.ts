import { describe, expect, it, vi } from 'vitest';
import { createImageGateway } from '../../src/gateway.js';

// prom-client as it is on a host that did not install it.
vi.mock('prom-client', () => {
  throw new Error("Cannot find package 'prom-client'");
});

describe('metrics without prom-client installed', () => {
  it('logs at start what to install, and /metrics answers 503 saying so; the gateway still serves', async () => {
    const errors: string[] = [];
    const logger = { info() {}, warn() {}, error: (_fields: unknown, message: string) => errors.push(message) };
    const gateway = createImageGateway({ metrics: true, logger: logger as never });
    try {
      const models = await gateway.fetch(new Request('http://gateway.test/v1/models'));
      expect(models.status).toBe(200);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('prom-client, which is not installed: run `npm install prom-client`');
      const scraped = await gateway.fetch(new Request('http://gateway.test/metrics'));
      expect(scraped.status).toBe(503);
      const body = (await scraped.json()) as { error: { message: string; code: string } };
      expect(body.error.code).toBe('METRICS_UNAVAILABLE');
      expect(body.error.message).toContain('npm install prom-client');
    } finally {
      await gateway.close();
    }
  });
});
