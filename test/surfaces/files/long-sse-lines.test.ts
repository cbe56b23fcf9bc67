import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { GatewayOptions } from '../../../src/options.js';
import { gatewayKey, serveGateway } from '../served-gateway.js';

/** aiohttp's default line limit, which Open WebUI's stream reader inherits ("Got more than 131072 bytes"). */
const aiohttpLineLimit = 131_072;

/** A 1024x1024 JPEG at quality 100 from the local engine: its data URL is about 214 KB, one line unsplit. */
const bigDrawing = {
  model: 'local-image',
  size: '1024x1024',
  stream: true,
  messages: [{ role: 'user', content: 'draw a detailed busy city' }],
};

/**
 * A stream reader with a line limit, as aiohttp's StreamReader.readline
 * has: it refuses any line longer than `limit` bytes, and otherwise gathers
 * each event's data as the client's SSE parser would.
 */
async function readLineLimited(response: Response, limit: number): Promise<{ events: any[]; longestLine: number }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const events: any[] = [];
  let line: Buffer[] = [];
  let lineBytes = 0;
  let longestLine = 0;
  let data: string[] = [];
  const endLine = () => {
    const text = Buffer.concat(line).toString('utf8').replace(/\r$/, '');
    line = [];
    lineBytes = 0;
    if (text === '') {
      if (data.length > 0 && data.join('\n') !== '[DONE]') events.push(JSON.parse(data.join('\n')));
      data = [];
    } else if (text.startsWith('data:')) data.push(text.slice(5).trimStart());
  };
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    let start = 0;
    for (let newline = value.indexOf(0x0a); newline !== -1; newline = value.indexOf(0x0a, start)) {
      lineBytes += newline - start;
      longestLine = Math.max(longestLine, lineBytes);
      if (lineBytes > limit) {
        await reader.cancel();
        throw new Error(`Got more than ${limit} bytes when reading a line`);
      }
      line.push(Buffer.from(value.subarray(start, newline)));
      endLine();
      start = newline + 1;
    }
    lineBytes += value.length - start;
    if (lineBytes > limit) {
      await reader.cancel();
      throw new Error(`Got more than ${limit} bytes when reading a line`);
    }
    line.push(Buffer.from(value.subarray(start)));
  }
  return { events, longestLine };
}

async function streamDrawing(options: GatewayOptions): Promise<Response> {
  const { baseURL } = await serveGateway({ providers: [{ type: 'local', quality: 100 }], ...options });
  return fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(bigDrawing),
  });
}

const contentOf = (events: any[]) => events.map((event) => event.choices?.[0]?.delta?.content ?? '').join('');

async function decodedDataUrl(content: string) {
  const match = /!\[generated\]\(data:image\/jpeg;base64,([A-Za-z0-9+/=]+)\)/.exec(content);
  expect(match, 'the whole image in the content').not.toBeNull();
  const metadata = await sharp(Buffer.from(match?.[1] as string, 'base64')).metadata();
  return { format: metadata.format, width: metadata.width, height: metadata.height };
}

describe('a stream client that refuses SSE lines over 131 072 bytes (aiohttp, Open WebUI)', () => {
  it('fails on an inline image sent whole: the problem the options below solve', async () => {
    const response = await streamDrawing({});
    await expect(readLineLimited(response, aiohttpLineLimit)).rejects.toThrow(/Got more than 131072 bytes/);
  });

  it('gets the whole image when images.maxSseLineBytes splits it over content deltas, message.images left out', async () => {
    const response = await streamDrawing({ images: { maxSseLineBytes: 65_536 }, imageOutput: 'both' });
    const { events, longestLine } = await readLineLimited(response, aiohttpLineLimit);
    expect(longestLine).toBeLessThanOrEqual(65_536);
    const imageChunks = events.filter((event) => String(event.choices?.[0]?.delta?.content ?? '').length > 1000);
    expect(imageChunks.length).toBeGreaterThanOrEqual(3);
    expect(events.some((event) => event.choices?.[0]?.delta?.images)).toBe(false);
    expect(events.at(-1).choices[0]).toMatchObject({ delta: { content: ')' }, finish_reason: 'stop' });
    expect(await decodedDataUrl(contentOf(events))).toEqual({ format: 'jpeg', width: 1024, height: 1024 });
  });

  it('gets a link to the whole image in URL delivery', async () => {
    const response = await streamDrawing({ images: { delivery: 'url' } });
    const { events, longestLine } = await readLineLimited(response, aiohttpLineLimit);
    expect(longestLine).toBeLessThan(1024);
    const url = /!\[generated\]\((http[^)]+)\)/.exec(contentOf(events))?.[1] as string;
    const metadata = await sharp(Buffer.from(await (await fetch(url)).arrayBuffer())).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['jpeg', 1024, 1024]);
  });

  it('hands the official openai SDK split content that concatenates to the image', async () => {
    const { client } = await serveGateway({ providers: [{ type: 'local', quality: 100 }], images: { maxSseLineBytes: 32_768 } });
    const stream = await client.chat.completions.create(bigDrawing as never);
    let content = '';
    let chunks = 0;
    for await (const chunk of stream as unknown as AsyncIterable<{ choices: { delta: { content?: string } }[] }>) {
      content += chunk.choices[0]?.delta.content ?? '';
      chunks += 1;
    }
    expect(chunks).toBeGreaterThan(6);
    expect(await decodedDataUrl(content)).toEqual({ format: 'jpeg', width: 1024, height: 1024 });
  });
});
