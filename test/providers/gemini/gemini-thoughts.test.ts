import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiProvider } from '../../../src/providers/gemini/gemini-provider.js';
import { defaultProviderContext } from '../../../src/providers/shared/provider-context.js';
import { type GeminiFake, startGeminiFake } from '../../fakes/gemini-fake.js';
import { collect, describeImage, generationRequest, imagesOf } from '../generation-request-fixture.js';

let fake: GeminiFake;
beforeAll(async () => {
  fake = await startGeminiFake();
});
afterAll(() => fake.close());

const provider = () => createGeminiProvider({ type: 'gemini', apiKey: 'key', baseURL: fake.url }, defaultProviderContext());
const orange = { red: 230, green: 120, blue: 40 };
const grey = { red: 128, green: 128, blue: 128 };

function closeTo(colour: { red: number; green: number; blue: number }, expected: typeof orange) {
  return (
    Math.abs(colour.red - expected.red) < 8 && Math.abs(colour.green - expected.green) < 8 && Math.abs(colour.blue - expected.blue) < 8
  );
}

describe.each([false, true])('gemini provider thoughts (stream: %s)', (stream) => {
  const model = 'gemini-3-pro-image-preview';

  it('streams thought text as reasoning, skips the draft image and returns only the final one', async () => {
    const request = generationRequest({ model, stream, prompt: 'a lighthouse [scenario:thoughts]' });
    const events = await collect(provider().generate(request, new AbortController().signal));

    const reasoning = events.flatMap((event) => (event.type === 'reasoning-delta' ? [event.text] : []));
    expect(reasoning.join('')).toContain('Composing the scene');
    const returned = imagesOf(events);
    expect(returned).toHaveLength(1);
    const final = await describeImage(returned[0]!);
    expect(final).toMatchObject({ width: 1408, height: 768 });
    expect(closeTo(final.colour, orange)).toBe(true);
    expect(events.map((event) => event.type)).toEqual(['reasoning-delta', 'text-delta', 'image', 'usage', 'finish']);
    expect(events.find((event) => event.type === 'usage')).toMatchObject({ usage: { reasoningTokens: 180 } });
  });

  it('falls back to the last image when every image part is marked as a thought', async () => {
    const request = generationRequest({ model, stream, prompt: 'a lighthouse [scenario:all-thought]' });
    const events = await collect(provider().generate(request, new AbortController().signal));
    const returned = imagesOf(events);
    expect(returned).toHaveLength(1);
    const described = await describeImage(returned[0]!);
    expect(closeTo(described.colour, grey)).toBe(false);
    expect(described).toMatchObject({ width: 1408, height: 768 });
  });
});
