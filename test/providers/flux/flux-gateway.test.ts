import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../../src/gateway.js';
import { type FluxFake, startFluxFake } from '../../fakes/flux-fake.js';
import { postChat } from '../../helpers/gateway-client.js';
import { decodeDataUrl } from '../gateway-answer-images.js';

let fake: FluxFake;
let gateway: ImageGateway;

beforeAll(async () => {
  fake = await startFluxFake({ apiKey: 'bfl-key', pendingPolls: 2 });
  gateway = createImageGateway({
    providers: [{ type: 'flux', apiKey: 'bfl-key', baseURL: fake.url, pollIntervalMs: 5, maxPollIntervalMs: 20 }],
  });
});
afterAll(async () => {
  await gateway.close();
  await fake.close();
});

const markdownImage = /!\[generated\]\((data:image\/jpeg;base64,[A-Za-z0-9+/=]+)\)/;

describe('gateway → flux', () => {
  it('answers with the downloaded sample as a markdown data-URL image', async () => {
    const response = await postChat(gateway, {
      model: 'flux-kontext-pro',
      aspect_ratio: '16:9',
      messages: [{ role: 'user', content: 'a red fox in snow' }],
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    const url = markdownImage.exec(body.choices[0].message.content)?.[1];
    const metadata = await decodeDataUrl(url!);
    expect(metadata).toMatchObject({ format: 'jpeg', width: 1376, height: 768 });
  });

  it('streams polling progress as reasoning_content before the image', async () => {
    const response = await postChat(gateway, {
      model: 'flux-kontext-pro',
      stream: true,
      messages: [{ role: 'user', content: 'a red fox in snow' }],
    });
    const chunks = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice(6)));
    const reasoning = chunks.map((chunk) => chunk.choices[0]?.delta?.reasoning_content ?? '').join('');
    expect(reasoning).toContain('FLUX: Pending');
    expect(markdownImage.test(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join(''))).toBe(true);
  });

  it('maps moderation to a content_filter error', async () => {
    const response = await postChat(gateway, {
      model: 'flux-kontext-pro',
      messages: [{ role: 'user', content: 'x [scenario:request-moderated]' }],
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('content_filter');
  });
});
