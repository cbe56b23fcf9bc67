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
  it('lets exactly one probe through; the rest wait for its verdict and are served when it succeeds', async () => {
    let time = 2_000_000;
    let failing = true;
    const flaky = createScriptedProvider({
      id: 'flaky',
      concurrency: 3,
      auto: () => (failing ? new UpstreamError({ provider: 'flaky', kind: 'server', status: 503, message: 'overloaded' }) : undefined),
    });
    gateway = createImageGateway({
      providers: [flaky.provider],
      routing: { failureThreshold: 1, cooldownMs: 10_000, firstCooldownMs: 10_000 },
      queue: { maxWaitMs: 5_000 },
      now: () => time,
    });
    expect((await postChat(gateway, draw)).status).toBe(502);
    expect(gateway.stats().providers.flaky?.health.state).toBe('open');
    // The cooldown outlasts the 5 s wait budget: refused at once.
    const cooling = await postChat(gateway, draw);
    expect(cooling.status).toBe(503);
    expect((await cooling.json()).error.message).toBe(
      'Every provider that serves scripted-image is cooling down after failures; retry in about 10 s.',
    );

    failing = false;
    time += 10_001;
    const responses = [postChat(gateway, draw), postChat(gateway, draw), postChat(gateway, draw)];
    await waitFor(() => flaky.pending.length === 1 && gateway.stats().providers.flaky?.waiting.nonStream === 2);
    expect(flaky.state.calls).toBe(2);
    flaky.pending[0]?.succeed();
    // The probe closed the circuit: both waiters take its free slots at once.
    await waitFor(() => flaky.pending.length === 2);
    for (const call of [...flaky.pending]) call.succeed();
    expect((await Promise.all(responses)).map((response) => response.status)).toEqual([200, 200, 200]);
    expect(gateway.stats().providers.flaky?.health.state).toBe('closed');
  });
});
