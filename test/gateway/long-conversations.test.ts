import { request as httpRequest } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../adapters/node.js';
import { createImageGateway } from '../../src/index.js';

/** POSTs a chat body over a real socket and settles on the status and JSON answer. */
function post(base: string, body: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    call.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    call.on('error', reject);
    call.end(body);
  });
}

let server: GatewayServer;
let base: string;

beforeAll(async () => {
  server = createServer({ gateway: createImageGateway({}) } as never);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('legitimate traffic the request limits let through', () => {
  it('a long agent conversation of 5000 short messages is served', async () => {
    const messages = Array.from({ length: 5000 }, (_, index) => ({
      role: index % 2 === 0 ? 'user' : 'assistant',
      content: `turn ${index}: ok`,
    }));
    messages.push({ role: 'user', content: 'hello' });
    const answer = await post(base, JSON.stringify({ model: 'local-image', messages }));
    expect(answer.json.error?.message).toBeUndefined();
    expect(answer.status).toBe(200);
  });

  it('still refuses 10 001 messages, naming messages and the option', async () => {
    const body = `{"model":"local-image","messages":[${new Array(10_001).fill('{"role":"user","content":"a"}').join(',')}]}`;
    const answer = await post(base, body);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ code: 'request_too_complex', param: 'messages' });
    expect(answer.json.error.message).toBe(
      "'messages' has more than 10000 items; at most 10000 are allowed (option requestLimits.maxRootArrayItems).",
    );
  });

  it('a follow-up turn carrying the gateway’s own multi-megabyte markdown image answer is not refused as text', async () => {
    // Noise does not compress: about 3 MB of PNG, 4 MB of base64, twice maxTextBytes.
    const png = await sharp(Buffer.from(Array.from({ length: 1000 * 1000 * 3 }, () => Math.floor(Math.random() * 256))), {
      raw: { width: 1000, height: 1000, channels: 3 },
    })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const answerText = `Here is your picture.\n\n![generated](data:image/png;base64,${png.toString('base64')})`;
    expect(answerText.length).toBeGreaterThan(2 * 1024 * 1024);
    const body = JSON.stringify({
      model: 'local-image',
      messages: [
        { role: 'user', content: 'draw a red circle' },
        { role: 'assistant', content: answerText },
        { role: 'user', content: 'hello again' },
      ],
    });
    const answer = await post(base, body);
    expect(answer.json.error?.message).toBeUndefined();
    expect(answer.status).toBe(200);
    // The same turn from an encoder that escapes "/" (PHP's json_encode): the base64 is still image data.
    const escaped = await post(base, body.replace(/\//g, '\\/'));
    expect(escaped.json.error?.message).toBeUndefined();
    expect(escaped.status).toBe(200);
  });

  it('still refuses three megabytes of plain text', async () => {
    const answer = await post(base, `{"model":"local-image","messages":[{"role":"user","content":"${'a'.repeat(3_000_000)}"}]}`);
    expect(answer.status).toBe(413);
  });
});
