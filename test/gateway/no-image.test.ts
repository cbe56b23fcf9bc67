import { afterEach, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../src/gateway.js';
import { type FaultMode, type FaultRelayFake, startFaultRelayFake } from '../fakes/fault-relay-fake.js';
import { dataChunks, parseSse, postChat } from '../helpers/gateway-client.js';

const fakes: FaultRelayFake[] = [];
const gateways: ImageGateway[] = [];

afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

/** Relay instances serving one model, planned in the order given (the first request of a gateway). */
async function relays(...modes: FaultMode[]): Promise<{ gateway: ImageGateway; fakes: FaultRelayFake[] }> {
  const started = await Promise.all(modes.map((mode) => startFaultRelayFake(mode)));
  fakes.push(...started);
  const gateway = createImageGateway({
    providers: started.map((fake, index) => ({
      type: 'openai-chat' as const,
      name: `relay-${index}`,
      baseURL: fake.url,
      apiKey: `sk-relay-${index}-000000000000`,
      models: ['gpt-4o-image'],
    })),
    heartbeatIntervalMs: 60_000,
  });
  gateways.push(gateway);
  return { gateway, fakes: started };
}

const drawCat = (stream: boolean) => ({
  model: 'gpt-4o-image',
  stream,
  modalities: ['image', 'text'],
  messages: [{ role: 'user', content: 'draw a red cat' }],
});

describe('an attempt that ends without the image the request needs fails as NO_IMAGE', () => {
  it.each([false, true])('falls back to another instance (stream: %s), and counts against the text-only one', async (stream) => {
    const {
      gateway,
      fakes: [textOnly, drawing],
    } = await relays('text-only', 'image');
    const response = await postChat(gateway, drawCat(stream));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain('"error"');
    // The text-only attempt's words never reach the client beside the other instance's image.
    expect(text).not.toContain('I cannot draw');
    const images = stream
      ? dataChunks(parseSse(text)).flatMap((chunk) => chunk.choices?.[0]?.delta?.images ?? [])
      : (JSON.parse(text).choices[0].message.images ?? []);
    expect(images).toHaveLength(1);
    expect(textOnly?.requests).toHaveLength(1);
    expect(drawing?.requests).toHaveLength(1);
    const health = gateway.stats().providers['relay-0']?.health;
    expect(health?.consecutiveFailures).toBe(1);
  });

  it('answers 502 NO_IMAGE with the model’s text when no instance drew (non-stream)', async () => {
    const { gateway, fakes: started } = await relays('text-only', 'text-only');
    const response = await postChat(gateway, drawCat(false));
    expect(response.status).toBe(502);
    const body = await response.json();
    expect(body.error).toMatchObject({ type: 'server_error', code: 'NO_IMAGE' });
    expect(body.error.message).toContain('answered without an image');
    expect(body.error.message).toContain('I cannot draw, but picture a red cat curled up on a mat.');
    expect(started.map((fake) => fake.requests.length)).toEqual([1, 1]);
  });

  it('ends the stream with a NO_IMAGE error event and [DONE], the model’s text in its message', async () => {
    const { gateway } = await relays('text-only');
    const response = await postChat(gateway, drawCat(true));
    expect(response.status).toBe(200);
    const items = parseSse(await response.text());
    const data = items.filter((item) => item.kind === 'data').map((item) => item.value);
    expect(data.at(-1)).toBe('[DONE]');
    const error = JSON.parse(data.at(-2) as string).error;
    expect(error).toMatchObject({ type: 'server_error', code: 'NO_IMAGE' });
    expect(error.message).toContain('I cannot draw, but picture a red cat curled up on a mat.');
    // Only the role chunk came before the error: the held text went into the error's message instead.
    const contents = dataChunks(items)
      .filter((chunk) => chunk.choices)
      .map((chunk) => chunk.choices[0].delta.content ?? '');
    expect(contents.join('')).toBe('');
  });

  it('leaves a text answer alone when no image was asked for', async () => {
    const { gateway } = await relays('text-only');
    const response = await postChat(gateway, {
      model: 'gpt-4o-image',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    expect(response.status).toBe(200);
    expect((await response.json()).choices[0].message.content).toContain('I cannot draw');
  });
});
