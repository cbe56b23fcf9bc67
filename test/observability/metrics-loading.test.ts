import { describe, expect, it, vi } from 'vitest';
import { createImageGateway } from '../../src/gateway.js';

// prom-client that loads only when the test lets it: what a slow disk or a busy thread pool does.
let release: () => void = () => {};
const released = new Promise<void>((resolve) => {
  release = resolve;
});
vi.mock('prom-client', async (importOriginal) => {
  await released;
  return importOriginal();
});

describe('calls that arrive while prom-client loads', () => {
  it('wait for it, even once @opentelemetry/api has loaded first: the first scrape is answered, not 503', async () => {
    const gateway = createImageGateway({ metrics: true });
    try {
      // The tracing peer is in: the gateway's own import of it has settled by now.
      await import('@opentelemetry/api');
      await new Promise<void>((resolve) => setImmediate(resolve));
      const scrape = gateway.fetch(new Request('http://gateway.test/metrics'));
      const models = gateway.fetch(new Request('http://gateway.test/v1/models'));
      release();
      const [scraped, listed] = await Promise.all([scrape, models]);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('# TYPE image_gateway_requests_total counter');
      expect(listed.status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});
