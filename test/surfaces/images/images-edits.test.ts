import { toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageGateway } from '../../../src/gateway.js';
import { makeFakeImage, type OpenAIImagesFake, startOpenAIImagesFake } from '../../fakes/openai-images-fake.js';
import { decodeBase64Image, gatewayKey, serveGateway, solidPng } from '../served-gateway.js';

let openai: OpenAIImagesFake;
beforeAll(async () => {
  openai = await startOpenAIImagesFake();
});
afterAll(async () => {
  await openai.close();
});

/** A PNG mask: transparent on the left half, where the edit may paint. */
async function maskPng(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 4, 255);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width / 2; x += 1) pixels[(y * width + x) * 4 + 3] = 0;
  return sharp(pixels, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/**
 * Error paths go through `gateway.fetch`, not the socket: the Node adapter
 * still answers before the upload is read and the client sees EPIPE (the
 * edge work fixes that separately).
 */
async function postForm(gateway: ImageGateway, form: FormData | string, headers: Record<string, string> = {}): Promise<Response> {
  // The form is encoded to bytes first: on Node 24, a Request whose body is a
  // FormData keeps enqueueing after the gateway cancels the upload and throws
  // an unhandled "ReadableStream is already closed" (undici's extractBody
  // checks only for an errored stream). A host's request bodies come from its
  // socket, never from a FormData, so only such in-process tests meet it.
  const encoded = new Request('http://gateway.test/', { method: 'POST', body: form });
  const contentType = headers['content-type'] ?? encoded.headers.get('content-type') ?? '';
  return gateway.fetch(
    new Request('http://gateway.test/v1/images/edits', {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${gatewayKey}`, 'content-type': contentType },
      body: new Uint8Array(await encoded.arrayBuffer()),
    }),
  );
}

describe('POST /v1/images/edits with the official openai SDK', () => {
  it('edits one toFile PNG on the local engine and answers the asked size and format', async () => {
    const { client } = await serveGateway();
    const image = await toFile(await solidPng(300, 200), 'input.png', { type: 'image/png' });
    const answer = await client.images.edit({
      model: 'local-image',
      image,
      prompt: 'make it brighter',
      size: '256x256' as '1024x1024',
      output_format: 'png',
    });
    expect(await decodeBase64Image(answer.data?.[0]?.b64_json as string)).toMatchObject({ format: 'png', width: 256, height: 256 });
  });

  it('edits several toFile PNGs with a mask on OpenAI Images: image[] and mask reach the upstream', async () => {
    const { client } = await serveGateway({ providers: [{ type: 'openai', apiKey: 'sk-images-key-0001', baseURL: openai.url }] });
    openai.requests.length = 0;
    const images = await Promise.all([
      toFile(await makeFakeImage(64, 64, 'png', 1), 'a.png', { type: 'image/png' }),
      toFile(await makeFakeImage(64, 64, 'png', 2), 'b.png', { type: 'image/png' }),
    ]);
    const mask = await toFile(await maskPng(64, 64), 'mask.png', { type: 'image/png' });
    const answer = await client.images.edit({
      model: 'gpt-image-1',
      image: images,
      mask,
      prompt: 'put both in one scene',
      size: '1024x1536',
      input_fidelity: 'high',
    });
    expect(await decodeBase64Image(answer.data?.[0]?.b64_json as string)).toMatchObject({ format: 'png', width: 1024, height: 1536 });
    const sent = openai.requests[0];
    expect(sent?.path).toBe('/v1/images/edits');
    expect(sent?.fields).toMatchObject({
      model: 'gpt-image-1',
      prompt: 'put both in one scene',
      size: '1024x1536',
      input_fidelity: 'high',
    });
    expect(sent?.files?.map((file) => file.field)).toEqual(['image[]', 'image[]', 'mask']);
    // The mask keeps its alpha: PNG, never normalised to JPEG.
    expect(sent?.files?.[2]).toMatchObject({ type: 'image/png', width: 64, height: 64 });
  });

  it('takes the JSON form with images: [{image_url}] as newer SDKs send it', async () => {
    const { baseURL } = await serveGateway();
    const png = (await solidPng(120, 80)).toString('base64');
    const response = await fetch(`${baseURL}/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'local-image',
        prompt: 'make it brighter',
        images: [{ image_url: `data:image/png;base64,${png}` }],
        size: '96x64',
      }),
    });
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(await decodeBase64Image(answer.data[0].b64_json)).toMatchObject({ width: 96, height: 64 });
  });
});

describe('POST /v1/images/edits refuses bad multipart with a 400 naming the field', () => {
  it('no image, a non-image file, a file in an unknown field, a missing boundary, too many parts, a file over the limit', async () => {
    const { server } = await serveGateway({ images: { maxImageBytes: 64 * 1024, maxImages: 2 } });
    const gateway = server.gateway;
    const png = new Blob([new Uint8Array(await solidPng(32, 32))], { type: 'image/png' });

    const noImage = new FormData();
    noImage.append('prompt', 'edit');
    expect((await (await postForm(gateway, noImage)).json()).error).toMatchObject({ param: 'image', code: 'missing_required_parameter' });

    const textFile = new FormData();
    textFile.append('prompt', 'edit');
    textFile.append('image', new Blob(['hello, not an image'], { type: 'image/png' }), 'a.png');
    const notImage = await postForm(gateway, textFile);
    expect(notImage.status).toBe(400);
    expect((await notImage.json()).error).toMatchObject({ param: 'image', code: 'unsupported_image_format' });

    const strayFile = new FormData();
    strayFile.append('prompt', 'edit');
    strayFile.append('image', png, 'a.png');
    strayFile.append('picture', png, 'b.png');
    expect((await (await postForm(gateway, strayFile)).json()).error).toMatchObject({ param: 'picture' });

    const noBoundary = await postForm(gateway, 'prompt=x', { 'content-type': 'multipart/form-data' });
    expect(noBoundary.status).toBe(400);
    expect((await noBoundary.json()).error).toMatchObject({ code: 'invalid_multipart' });
    expect((await postForm(gateway, 'x', { 'content-type': 'multipart/form-data' })).status).toBe(400);

    const cutOff = await postForm(gateway, '--b\r\ncontent-disposition: form-data; name="prompt"\r\n\r\nedit', {
      'content-type': 'multipart/form-data; boundary=b',
    });
    expect(cutOff.status).toBe(400);
    expect((await cutOff.json()).error).toMatchObject({ code: 'invalid_multipart' });

    const manyFiles = new FormData();
    manyFiles.append('prompt', 'edit');
    for (let index = 0; index < 5; index += 1) manyFiles.append('image[]', png, `${index}.png`);
    const tooMany = await postForm(gateway, manyFiles);
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error).toMatchObject({ code: 'too_many_parts' });

    const manyFields = new FormData();
    for (let index = 0; index < 40; index += 1) manyFields.append(`field${index}`, 'x');
    expect((await (await postForm(gateway, manyFields)).json()).error).toMatchObject({ code: 'too_many_parts' });

    const big = new FormData();
    big.append('prompt', 'edit');
    big.append('image', new Blob([new Uint8Array(200 * 1024).fill(1)], { type: 'image/png' }), 'big.png');
    const tooBig = await postForm(gateway, big);
    expect(tooBig.status).toBe(400);
    expect((await tooBig.json()).error).toMatchObject({ param: 'image', code: 'IMAGE_TOO_LARGE' });

    const longField = new FormData();
    longField.append('prompt', 'x'.repeat(200 * 1024));
    longField.append('image', png, 'a.png');
    expect((await (await postForm(gateway, longField)).json()).error).toMatchObject({ param: 'prompt', code: 'field_too_large' });
  });

  it('stops reading an upload at the file over the limit instead of reading the rest first', async () => {
    const { server } = await serveGateway({ images: { maxImageBytes: 256 * 1024 } });
    const form = new FormData();
    form.append('prompt', 'edit');
    form.append('image', new Blob([new Uint8Array(16 * 1024 * 1024)], { type: 'image/png' }), 'big.png');
    const template = new Request('http://gateway.test/', { method: 'POST', body: form });
    const bytes = new Uint8Array(await template.arrayBuffer());
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(sent, sent + 64 * 1024));
        sent += 64 * 1024;
      },
    });
    const response = await server.gateway.fetch(
      new Request('http://gateway.test/v1/images/edits', {
        method: 'POST',
        headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': template.headers.get('content-type') as string },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ param: 'image', code: 'IMAGE_TOO_LARGE' });
    expect(sent).toBeLessThan(2 * 1024 * 1024);
  });

  it('refuses a model that cannot edit, naming the model and the surface', async () => {
    const { server } = await serveGateway({
      providers: [
        {
          type: 'openai-chat',
          apiKey: 'sk-relay-key-0001',
          baseURL: 'http://127.0.0.1:9/v1',
          models: [{ id: 'gpt-4o-mini', capabilities: { imageOutput: false, imageInput: false, text: true } }],
        },
      ],
    });
    const gateway = server.gateway;
    const form = new FormData();
    form.append('prompt', 'edit');
    form.append('model', 'gpt-4o-mini');
    form.append('image', new Blob([new Uint8Array(await solidPng(32, 32))], { type: 'image/png' }), 'a.png');
    const response = await postForm(gateway, form);
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error).toMatchObject({ param: 'model', code: 'MODEL_SURFACE_UNSUPPORTED' });
    expect(error.message).toMatch(/gpt-4o-mini cannot serve POST \/v1\/images\/edits/);
  });
});
