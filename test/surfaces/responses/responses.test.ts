import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeminiFake, startGeminiFake } from '../../fakes/gemini-fake.js';
import { type OpenAIImagesFake, startOpenAIImagesFake } from '../../fakes/openai-images-fake.js';
import { decodeBase64Image, gatewayKey, serveGateway, solidPng } from '../served-gateway.js';

let openai: OpenAIImagesFake;
let gemini: GeminiFake;
beforeAll(async () => {
  [openai, gemini] = await Promise.all([startOpenAIImagesFake(), startGeminiFake({ apiKey: 'gemini-key-0000001' })]);
});
afterAll(async () => {
  await Promise.all([openai.close(), gemini.close()]);
});

describe('POST /v1/responses with the official openai SDK', () => {
  it('answers responses.create with the image_generation tool: an image_generation_call item of the asked size and format', async () => {
    const { client } = await serveGateway();
    const response = await client.responses.create({
      model: 'local-image',
      input: 'Draw a red lighthouse on a cliff',
      tools: [{ type: 'image_generation', size: '512x384' as '1024x1024', output_format: 'webp' }],
    });
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'local-image', error: null });
    expect(response.id).toMatch(/^resp_/);
    const call = response.output.find((item) => item.type === 'image_generation_call');
    expect(call).toMatchObject({ status: 'completed', output_format: 'webp', size: '512x384' });
    expect(call?.id).toMatch(/^ig_/);
    expect(await decodeBase64Image(call?.result as string)).toMatchObject({ format: 'webp', width: 512, height: 384 });
    expect(response.usage?.total_tokens).toBe((response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0));
  });

  it('edits an input_image and answers text turns as an output_text message', async () => {
    const { client } = await serveGateway();
    const png = (await solidPng(200, 100)).toString('base64');
    const edited = await client.responses.create({
      model: 'local-image',
      instructions: 'You edit pictures.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'make it brighter' },
            { type: 'input_image', image_url: `data:image/png;base64,${png}`, detail: 'auto' },
          ],
        },
      ],
      tools: [{ type: 'image_generation' }],
    });
    const call = edited.output.find((item) => item.type === 'image_generation_call');
    expect(await decodeBase64Image(call?.result as string)).toMatchObject({ width: 200, height: 100 });

    const talk = await client.responses.create({ model: 'local-image', input: 'What is the capital of France?' });
    expect(talk.output.map((item) => item.type)).toEqual(['message']);
    expect(talk.output_text.length).toBeGreaterThan(0);
  });

  it('streams the full event sequence with sequence_number, partial images passed on from OpenAI Images', async () => {
    const { client } = await serveGateway({ providers: [{ type: 'openai', apiKey: 'sk-images-key-0001', baseURL: openai.url }] });
    const stream = await client.responses.create({
      model: 'gpt-image-1',
      input: 'Draw a lighthouse',
      tools: [{ type: 'image_generation', partial_images: 2, size: '1024x1536' }],
      stream: true,
    });
    const events: any[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.image_generation_call.in_progress',
      'response.image_generation_call.generating',
      'response.image_generation_call.partial_image',
      'response.image_generation_call.partial_image',
      'response.image_generation_call.completed',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_event, index) => index));
    expect(events[5].partial_image_b64.length).toBeGreaterThan(0);
    const completed = events.at(-1).response;
    expect(completed.status).toBe('completed');
    const call = completed.output.find((item: any) => item.type === 'image_generation_call');
    expect(await decodeBase64Image(call.result)).toMatchObject({ width: 1024, height: 1536 });
    expect(completed.usage).toMatchObject({ input_tokens: 50, output_tokens: 4160 });
  });

  it('streams a Gemini image: the completed call and no partials, ending on response.completed without [DONE]', async () => {
    const { baseURL } = await serveGateway({
      providers: [{ type: 'gemini', apiKey: 'gemini-key-0000001', baseURL: gemini.url }],
    });
    const response = await fetch(`${baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gemini-3-pro-image-preview',
        input: 'draw a cat',
        stream: true,
        tools: [{ type: 'image_generation' }],
      }),
    });
    const text = await response.text();
    expect(text).not.toContain('[DONE]');
    const names = [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(names[0]).toBe('response.created');
    expect(names.at(-1)).toBe('response.completed');
    expect(names).toContain('response.image_generation_call.completed');
    expect(names).not.toContain('response.image_generation_call.partial_image');
  });

  it('refuses item_reference (previous_response_id is the way to continue) and unknown tools with 400s naming the field', async () => {
    const { client } = await serveGateway();
    const reference = await client.responses
      .create({ model: 'local-image', input: [{ type: 'item_reference', id: 'ig_1' }] as any })
      .catch((failure) => failure);
    expect(reference.error).toMatchObject({ param: 'input[0]' });
    expect(reference.error.message).toMatch(/previous_response_id/);
    const tool = await client.responses
      .create({ model: 'local-image', input: 'x', tools: [{ type: 'web_search' }] as any })
      .catch((failure) => failure);
    expect(tool.error).toMatchObject({ param: 'tools[0]' });
    expect(tool.error.message).toMatch(/"web_search" is not supported/);
  });
});

describe('the Vercel AI SDK on /v1/responses', () => {
  it("generateText with @ai-sdk/openai's default (Responses) model works unmodified", async () => {
    const { baseURL } = await serveGateway();
    const provider = createOpenAI({ apiKey: gatewayKey, baseURL });
    const result = await generateText({ model: provider('local-image'), prompt: 'What is the capital of France?' });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.finishReason).toBe('stop');
  });

  it('generateText with the image_generation tool returns the image as a provider tool result', async () => {
    const { baseURL } = await serveGateway();
    const provider = createOpenAI({ apiKey: gatewayKey, baseURL });
    const result = await generateText({
      model: provider('local-image'),
      prompt: 'Draw a red lighthouse',
      // ai and @ai-sdk/openai each pin their own provider-utils, whose Tool types differ only in a private symbol.
      tools: { image_generation: provider.tools.imageGeneration({ size: '1024x1024', outputFormat: 'png' }) as never },
    });
    const call = result.staticToolResults.find((item) => item.toolName === 'image_generation') as any;
    expect(call).toBeDefined();
    expect(await decodeBase64Image(call.output.result)).toMatchObject({ format: 'png', width: 1024, height: 1024 });
  });
});

describe('a text turn streamed on /v1/responses', () => {
  it('opens a message item and streams output_text deltas, text and all in UTF-8', async () => {
    const { client } = await serveGateway();
    const stream = await client.responses.create({ model: 'local-image', input: 'Qu’est-ce que c’est ? 你好', stream: true });
    const events: any[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types).toContain('response.output_text.delta');
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const done = events.find((event) => event.type === 'response.output_text.done');
    const deltas = events
      .filter((event) => event.type === 'response.output_text.delta')
      .map((event) => event.delta)
      .join('');
    expect(done.text).toBe(deltas);
    expect(events.at(-1).response.output[0].content[0].text).toBe(deltas);
  });
});
