import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createServer } from '../../adapters/node.js';
import { listen } from '../adapters/adapter-test-helpers.js';

const gatewayKey = 'sk-edge-request-id-0123456789';

async function gatewayUrl(): Promise<string> {
  return listen(createServer({ apiKeys: [gatewayKey] }));
}

const draw = { model: 'local-image', messages: [{ role: 'user' as const, content: 'draw a red circle' }], size: '64x64' };

describe('x-request-id on every answer', () => {
  it("fills the openai SDK's request_id on a completion and on a stream", async () => {
    const client = new OpenAI({ apiKey: gatewayKey, baseURL: `${await gatewayUrl()}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create(draw as never);
    expect(completion._request_id).toMatch(/^req_[\da-f]{20}$/);
    const { data: stream, request_id } = await client.chat.completions.create({ ...draw, stream: true } as never).withResponse();
    expect(request_id).toMatch(/^req_[\da-f]{20}$/);
    for await (const _chunk of stream as unknown as AsyncIterable<unknown>) {
      // Read to the end.
    }
  });

  it('fills APIError.requestID on a 401, a 404 and a 400', async () => {
    const base = await gatewayUrl();
    const wrongKey = new OpenAI({ apiKey: 'sk-wrong-key-0123456789abcdef', baseURL: `${base}/v1`, maxRetries: 0 });
    const unauthorized = await wrongKey.models.list().catch((error: unknown) => error);
    expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((unauthorized as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(/^req_/);

    const mistyped = new OpenAI({ apiKey: gatewayKey, baseURL: `${base}/v2`, maxRetries: 0 });
    const notFound = await mistyped.models.list().catch((error: unknown) => error);
    expect(notFound).toBeInstanceOf(OpenAI.NotFoundError);
    expect((notFound as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(/^req_/);

    const client = new OpenAI({ apiKey: gatewayKey, baseURL: `${base}/v1`, maxRetries: 0 });
    const invalid = await client.chat.completions.create({ ...draw, size: 'huge' } as never).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
    expect((invalid as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(/^req_/);
  });

  it('echoes a plain incoming x-request-id and replaces one that is too long or not a token', async () => {
    const base = await gatewayUrl();
    const ask = (id: string) => fetch(`${base}/healthz`, { headers: { 'x-request-id': id } });
    expect((await ask('trace-42.a:b_c')).headers.get('x-request-id')).toBe('trace-42.a:b_c');
    const long = await ask('a'.repeat(129));
    expect(long.headers.get('x-request-id')).toMatch(/^req_[\da-f]{20}$/);
    const odd = await ask('<script>');
    expect(odd.headers.get('x-request-id')).toMatch(/^req_[\da-f]{20}$/);
    expect(odd.headers.get('x-gateway-request-id')).toBe(odd.headers.get('x-request-id'));
  });
});
