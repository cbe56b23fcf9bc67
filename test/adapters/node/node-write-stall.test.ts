import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type GatewayServer } from '../../../adapters/node.js';
import { ImageData } from '../../../src/images/image-data.js';
import type { ImageProvider } from '../../../src/provider.js';
import { closeServer, listen } from '../adapter-test-helpers.js';

const servers: GatewayServer[] = [];
const clients: Socket[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const server of servers.splice(0)) await closeServer(server);
});

/** An image far bigger than the loopback socket buffers, so a client that does not read blocks the writes. */
const bigImage = Buffer.alloc(24 * 1024 * 1024, 7);

function bigImageProvider(): ImageProvider {
  return {
    id: 'big',
    type: 'custom',
    concurrency: 1,
    timeoutMs: 60_000,
    models: [
      {
        id: 'big-image',
        capabilities: {
          imageOutput: true,
          imageInput: false,
          maxInputImages: 0,
          text: true,
          tools: false,
          jsonMode: false,
          contextWindow: 1000,
          reasoning: 'none',
          maxImagesPerRequest: 1,
        },
      },
    ],
    async *generate() {
      yield { type: 'image', image: ImageData.fromBytes(bigImage, 'image/png') };
      yield { type: 'finish', reason: 'stop' };
    },
  };
}

async function serve(writeStallTimeoutMs: number): Promise<{ server: GatewayServer; url: string; connections: Socket[] }> {
  const server = createServer({ providers: [bigImageProvider()], writeStallTimeoutMs });
  const connections: Socket[] = [];
  server.on('connection', (socket: Socket) => connections.push(socket));
  servers.push(server);
  return { server, url: await listen(server), connections };
}

function requestText(url: string, stream: boolean): string {
  const body = JSON.stringify({ model: 'big-image', stream, messages: [{ role: 'user', content: 'Draw a big square' }] });
  const { host } = new URL(url);
  return `POST /v1/chat/completions HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

describe('a client that stops reading', () => {
  it.each([false, true])('loses its connection once the answer waited writeStallTimeoutMs for it (stream: %s)', async (stream) => {
    const { server, url, connections } = await serve(100);
    const { port } = new URL(url);
    const client = connect(Number(port), '127.0.0.1');
    clients.push(client);
    await once(client, 'connect');
    // Never read: the kernel buffers fill, then the gateway's writes wait.
    client.pause();
    client.write(requestText(url, stream));
    while (connections.length === 0) await once(server, 'connection');
    const [serverSide] = connections as [Socket];
    await once(serverSide, 'close');
    expect(serverSide.destroyed).toBe(true);
    // The slot is free again for the next request.
    expect(server.gateway.stats().providers.big?.active).toBe(0);
  });

  it('does not time an answer queued behind a slow one on a pipelined connection', async () => {
    const server = createServer({ providers: [{ type: 'local', delayMs: 600 }], writeStallTimeoutMs: 100 });
    servers.push(server);
    const url = await listen(server);
    const client = connect(Number(new URL(url).port), '127.0.0.1');
    clients.push(client);
    await once(client, 'connect');
    let received = '';
    client.setEncoding('latin1');
    client.on('data', (chunk: string) => {
      received += chunk;
    });
    const body = JSON.stringify({ model: 'local-image', size: '64x64', messages: [{ role: 'user', content: 'draw a square' }] });
    client.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
        'GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n',
    );
    // The models answer waits 600 ms behind the generation, six times the stall limit, and still arrives.
    while ((received.match(/HTTP\/1\.1 200/g) ?? []).length < 2 || !received.includes('"object":"list"')) {
      const [reason] = await Promise.race([once(client, 'data'), once(client, 'close')]);
      if (client.destroyed || reason === false) break;
    }
    expect(received.match(/HTTP\/1\.1 \d+/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
    expect(client.destroyed).toBe(false);
  });

  it('a client that reads gets the whole answer, however long it takes beyond the stall limit', async () => {
    const { url } = await serve(1000);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'big-image', messages: [{ role: 'user', content: 'Draw a big square' }] }),
    });
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    const dataUrl = /\((data:image\/png;base64,[^)]+)\)/.exec(completion.choices[0]?.message.content ?? '')?.[1] ?? '';
    expect(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64').equals(bigImage)).toBe(true);
  });
});
