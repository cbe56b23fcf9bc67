import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../../src/index.js';
import { dataChunks, postChat, readSseIncrementally, waitFor } from '../../helpers/gateway-client.js';
import { createScriptedProvider } from '../../helpers/scripted-provider.js';

let gateway: ImageGateway;
afterEach(async () => {
  await gateway?.close();
});

describe('SSE heartbeats and cancellation', () => {
  it('sends : keep-alive lines while a slow generation runs, then the image and [DONE]', async () => {
    gateway = createImageGateway({ providers: [{ type: 'local', delayMs: 400 }], heartbeatIntervalMs: 50 });
    const response = await postChat(gateway, {
      model: 'local-image',
      stream: true,
      messages: [{ role: 'user', content: 'generate a cat' }],
    });
    const items = await readSseIncrementally(response, () => true);
    const firstImage = items.findIndex((item) => item.kind === 'data' && item.value.includes('data:image/jpeg'));
    const heartbeatsBeforeImage = items.slice(0, firstImage).filter((item) => item.kind === 'comment' && item.value === 'keep-alive');
    expect(firstImage).toBeGreaterThan(0);
    expect(heartbeatsBeforeImage.length).toBeGreaterThanOrEqual(2);
    expect(items.at(-1)).toEqual({ kind: 'data', value: '[DONE]' });
    const chunks = dataChunks(items);
    expect(chunks.some((chunk) => typeof chunk.choices[0]?.delta?.reasoning_content === 'string')).toBe(true);
  });

  it('aborts the generation and frees its slot when the client goes away mid-stream', async () => {
    const scripted = createScriptedProvider({ id: 'slow' });
    gateway = createImageGateway({ providers: [scripted.provider], heartbeatIntervalMs: 20 });
    const client = new AbortController();
    const response = await postChat(
      gateway,
      { model: 'scripted-image', stream: true, messages: [{ role: 'user', content: 'draw a cat' }] },
      { signal: client.signal },
    );
    let heartbeats = 0;
    await readSseIncrementally(response, (item) => {
      if (item.kind === 'comment' && item.value === 'keep-alive') heartbeats += 1;
      return heartbeats < 2 ? true : 'pause';
    });
    expect(scripted.state.active).toBe(1);
    client.abort();
    await waitFor(() => scripted.state.active === 0);
    expect(scripted.state.aborted).toBe(1);
    await waitFor(() => gateway.stats().providers.slow?.active === 0);
  });

  it('aborts the generation when the client cancels the response body', async () => {
    const scripted = createScriptedProvider({ id: 'slow' });
    gateway = createImageGateway({ providers: [scripted.provider], heartbeatIntervalMs: 20 });
    const response = await postChat(gateway, {
      model: 'scripted-image',
      stream: true,
      messages: [{ role: 'user', content: 'draw a cat' }],
    });
    await waitFor(() => scripted.state.active === 1);
    await response.body?.cancel();
    await waitFor(() => scripted.state.active === 0);
    expect(scripted.state.aborted).toBe(1);
  });

  it('reports a failure after the stream started as an error event followed by [DONE]', async () => {
    const scripted = createScriptedProvider({ id: 'broken', auto: () => new Error('boom') });
    gateway = createImageGateway({ providers: [scripted.provider] });
    const response = await postChat(gateway, {
      model: 'scripted-image',
      stream: true,
      messages: [{ role: 'user', content: 'draw a cat' }],
    });
    expect(response.status).toBe(200);
    const items = await readSseIncrementally(response, () => true);
    const data = items.filter((item) => item.kind === 'data').map((item) => item.value);
    expect(data.at(-1)).toBe('[DONE]');
    const error = JSON.parse(data.at(-2) as string);
    expect(error).toEqual({
      error: { message: 'The gateway failed to process the request.', type: 'server_error', code: 'INTERNAL_ERROR' },
    });
  });
});
