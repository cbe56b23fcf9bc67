import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../../src/gateway.js';
import { type FaultRelayFake, startFaultRelayFake } from '../../fakes/fault-relay-fake.js';
import { postChat } from '../../helpers/gateway-client.js';

let relay: FaultRelayFake | undefined;
let gateway: ImageGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  await relay?.close();
  gateway = relay = undefined;
});

/** One relay whose model names the image-model pattern misses, and one model declared unable to draw. */
async function relayGateway(): Promise<{ gateway: ImageGateway; relay: FaultRelayFake }> {
  relay = await startFaultRelayFake('image');
  gateway = createImageGateway({
    providers: [
      {
        type: 'openai-chat',
        name: 'relay',
        baseURL: `${relay.url}/v1`,
        apiKey: 'sk-relay-key-000000000000',
        models: ['m', 'midjourney', 'ideogram', { id: 'plain-chat', capabilities: { imageOutput: false } }],
      },
    ],
  });
  return { gateway, relay };
}

const draw = (model: string) => ({ model, messages: [{ role: 'user', content: 'draw a cat' }] });

describe('a model the client names is refused only for what its configuration declares', () => {
  it.each(['m', 'midjourney', 'ideogram'])('"%s" with "draw a cat" reaches the upstream and returns its image', async (model) => {
    const { gateway, relay } = await relayGateway();
    const response = await postChat(gateway, draw(model));
    expect(response.status).toBe(200);
    expect(relay.requests).toHaveLength(1);
    expect(relay.requests[0]?.body.model).toBe(model);
    expect((await response.json()).choices[0].message.content).toMatch(/!\[generated\]\(data:image\//);
  });

  it('a model declared without image output is still refused, before any upstream call', async () => {
    const { gateway, relay } = await relayGateway();
    const response = await postChat(gateway, draw('plain-chat'));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ code: 'MODEL_CAPABILITY_MISSING', param: 'model' });
    expect(relay.requests).toHaveLength(0);
  });

  it('"auto" still chooses by the name pattern: no guessed image model is picked to draw', async () => {
    const { gateway, relay } = await relayGateway();
    const response = await postChat(gateway, draw('auto'));
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('NO_CAPABLE_MODEL');
    expect(relay.requests).toHaveLength(0);
  });
});
