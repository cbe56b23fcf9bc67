import { describe, expect, it } from 'vitest';
import { decodeBase64Image, gatewayKey, serveGateway } from '../served-gateway.js';

describe('POST /v1/images/generations with the official openai SDK and the local engine', () => {
  it('answers images.generate with b64_json images of the asked size and format', async () => {
    const { client } = await serveGateway();
    const answer = await client.images.generate({
      model: 'local-image',
      prompt: 'a red lighthouse on a cliff at sunset',
      size: '512x384' as '1024x1024',
      output_format: 'webp',
      n: 2,
    });
    expect(answer.data).toHaveLength(2);
    expect(answer.output_format).toBe('webp');
    expect(answer.size).toBe('512x384');
    expect(Number.isInteger(answer.created)).toBe(true);
    for (const image of answer.data ?? []) {
      expect(await decodeBase64Image(image.b64_json as string)).toMatchObject({ format: 'webp', width: 512, height: 384 });
    }
    expect(answer.usage?.total_tokens).toBe((answer.usage?.input_tokens ?? 0) + (answer.usage?.output_tokens ?? 0));
    expect(answer.usage?.input_tokens_details).toMatchObject({ image_tokens: 0 });
  });

  it('converts to the asked format when the provider draws another (the local engine draws JPEG)', async () => {
    const { client } = await serveGateway();
    const answer = await client.images.generate({
      model: 'local-image',
      prompt: 'a blue square',
      size: '256x256' as '1024x1024',
      output_format: 'png',
    });
    expect(await decodeBase64Image(answer.data?.[0]?.b64_json as string)).toMatchObject({ format: 'png', width: 256, height: 256 });
  });

  it('answers response_format "url" with stream: true with a 400: streamed image events carry b64_json', async () => {
    const { client } = await serveGateway();
    const error = await client.images
      .generate({ model: 'local-image', prompt: 'a cat', response_format: 'url', stream: true } as never)
      .catch((failure) => failure);
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ type: 'invalid_request_error', param: 'response_format', code: 'unsupported_value' });
    expect(error.error.message).toMatch(/"url" cannot be streamed.*"b64_json"/);
  });

  it('refuses bad fields with OpenAI-style 400s naming the field', async () => {
    const { baseURL } = await serveGateway();
    const post = (body: unknown) =>
      fetch(`${baseURL}/images/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const missing = await post({ model: 'local-image' });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toMatchObject({ param: 'prompt', code: 'missing_required_parameter' });
    const badSize = await post({ prompt: 'x', size: 'huge' });
    expect((await badSize.json()).error).toMatchObject({ param: 'size', code: 'invalid_value' });
    const badN = await post({ prompt: 'x', n: 11 });
    expect((await badN.json()).error).toMatchObject({ param: 'n', message: "Invalid 'n': must be an integer from 1 to 10." });
    const transparentJpeg = await post({ prompt: 'x', background: 'transparent', output_format: 'jpeg' });
    expect((await transparentJpeg.json()).error).toMatchObject({ param: 'background' });
    const badProject = await post({ prompt: 'x', project_id: 'a project\nwith a newline' });
    expect((await badProject.json()).error).toMatchObject({ param: 'project_id', code: 'invalid_value' });
    const deep = await post({ prompt: 'x', metadata: JSON.parse(`${'['.repeat(200)}${']'.repeat(200)}`) });
    expect((await deep.json()).error).toMatchObject({ code: 'request_too_complex' });
    const withImages = await post({ prompt: 'x', images: [{ image_url: 'https://example.com/a.png' }] });
    expect((await withImages.json()).error).toMatchObject({ param: 'images' });
  });

  it('names the options the serving provider ignores in x-gateway-ignored-options', async () => {
    const { baseURL } = await serveGateway();
    const response = await fetch(`${baseURL}/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'local-image', prompt: 'a cat', size: '64x64', style: 'vivid', quality: 'high', moderation: 'auto' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-ignored-options')).toBe('quality, style');
    expect(response.headers.get('x-gateway-provider')).toBe('local');
  });
});
