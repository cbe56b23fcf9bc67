import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageGateway, type GenerationSignal, ImageData, type ImageProvider, toAbortSignal } from '../../src/index.js';
import { decodeMarkdownImage, postChat, waitFor } from '../helpers/gateway-client.js';

/** A drawing engine on 127.0.0.1 that answers a PNG, or (for "slow") holds the request until the caller leaves. */
const engine = createServer((request, response) => {
  let prompt = '';
  request.on('data', (chunk: Buffer) => {
    prompt += chunk;
  });
  request.on('end', async () => {
    if (prompt.includes('slow')) return;
    const png = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
    response.writeHead(200, { 'content-type': 'image/png' }).end(png);
  });
});
let engineUrl = '';
beforeAll(async () => {
  engine.listen(0, '127.0.0.1');
  await once(engine, 'listening');
  engineUrl = `http://127.0.0.1:${(engine.address() as AddressInfo).port}/draw`;
});
afterAll(() => {
  engine.closeAllConnections();
  engine.close();
});

/** The README's own provider, pointed at the engine above; it records the signals it is given. */
function readmeProvider(signals: AbortSignal[]): ImageProvider {
  return {
    specificationVersion: 'v1',
    id: 'my-engine',
    type: 'custom',
    concurrency: 2,
    timeoutMs: 60_000,
    models: [
      {
        id: 'my-model',
        capabilities: {
          imageOutput: true,
          imageInput: false,
          maxInputImages: 0,
          text: false,
          tools: false,
          jsonMode: false,
          contextWindow: 4096,
          reasoning: 'none',
          maxImagesPerRequest: 1,
        },
      },
    ],
    async *generate(request, signal: GenerationSignal) {
      const abortSignal = toAbortSignal(signal);
      signals.push(abortSignal);
      const response = await fetch(engineUrl, { method: 'POST', body: request.prompt, signal: abortSignal });
      yield { type: 'image', image: ImageData.fromBytes(new Uint8Array(await response.arrayBuffer()), 'image/png') };
      yield { type: 'finish', reason: 'stop' };
    },
  };
}

describe('your own provider, as the README writes it', () => {
  it('serves a chat completion with the image it drew', async () => {
    const gateway = createImageGateway({ providers: [readmeProvider([])] });
    const response = await postChat(gateway, { model: 'my-model', messages: [{ role: 'user', content: 'draw a square' }] });
    expect(response.status).toBe(200);
    const content = (await response.json()).choices[0].message.content;
    expect(await decodeMarkdownImage(content)).toMatchObject({ format: 'png', width: 32, height: 24 });
    await gateway.close();
  });

  it('gets a real AbortSignal from toAbortSignal, which aborts its upstream call when the client leaves', async () => {
    const signals: AbortSignal[] = [];
    const gateway = createImageGateway({ providers: [readmeProvider(signals)] });
    const client = new AbortController();
    const pending = postChat(
      gateway,
      { model: 'my-model', messages: [{ role: 'user', content: 'draw something slow' }] },
      { signal: client.signal },
    ).catch((error: unknown) => error);
    await waitFor(() => signals.length === 1);
    expect(signals[0]).toBeInstanceOf(AbortSignal);
    expect(signals[0]?.aborted).toBe(false);
    client.abort();
    await waitFor(() => signals[0]?.aborted === true);
    await pending;
    await waitFor(() => gateway.stats().providers['my-engine']?.active === 0);
    await gateway.close();
  });
});
