import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway, UpstreamError } from '../../../src/index.js';
import { postChat, waitFor } from '../../helpers/gateway-client.js';
import { createScriptedProvider } from '../../helpers/scripted-provider.js';

let gateway: ImageGateway;
afterEach(async () => {
  await gateway?.close();
});

const draw = { model: 'scripted-image', messages: [{ role: 'user', content: 'draw a cat' }] };

describe('a half-open circuit', () => {
  it('lets exactly one probe through; the rest get 503 PROVIDER_UNAVAILABLE until it succeeds', async () => {
    let time = 2_000_000;
    let failing = true;
    const flaky = createScriptedProvider({
      id: 'flaky',
      concurrency: 3,
      auto: () => (failing ? new UpstreamError({ provider: 'flaky', kind: 'server', status: 503, message: 'overloaded' }) : undefined),
    });
    gateway = createImageGateway({ providers: [flaky.provider], routing: { failureThreshold: 1, cooldownMs: 10_000 }, now: () => time });
    expect((await postChat(gateway, draw)).status).toBe(502);
    expect(gateway.stats().providers.flaky?.health.state).toBe('open');
    const cooling = await postChat(gateway, draw);
    expect(cooling.status).toBe(503);
    expect((await cooling.json()).error.message).toBe(
      'Every provider that serves scripted-image is cooling down after failures; retry in about 10 s.',
    );

    failing = false;
    time += 10_001;
    const responses = [postChat(gateway, draw), postChat(gateway, draw), postChat(gateway, draw)];
    await waitFor(() => flaky.pending.length === 1);
    const refused = await Promise.all(responses.slice(1));
    expect(refused.map((response) => response.status)).toEqual([503, 503]);
    for (const response of refused) {
      const { error } = await response.json();
      expect(error.code).toBe('PROVIDER_UNAVAILABLE');
      expect(error.message).toMatch(/^Every provider that could serve this request is recovering from failures; retry in about \d+ s\.$/);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(flaky.state.calls).toBe(2);

    flaky.pending[0]?.succeed();
    expect((await responses[0])?.status).toBe(200);
    expect(gateway.stats().providers.flaky?.health.state).toBe('closed');
  });
});
