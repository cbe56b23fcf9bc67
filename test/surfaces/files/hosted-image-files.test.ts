import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { imageGateway } from '../../../adapters/hono.js';
import { createServer, type GatewayServer } from '../../../adapters/node.js';
import type { GatewayOptions } from '../../../src/options.js';
import type { BlobStore } from '../../../src/store/blob-store.js';
import { createMemoryBlobStore } from '../../../src/store/memory-blob-store.js';
import { gatewayKey, serveGateway } from '../served-gateway.js';

const drawing = { model: 'local-image', size: '320x240', messages: [{ role: 'user' as const, content: 'draw a red lighthouse' }] };
const fileUrlPattern = /^http:\/\/127\.0\.0\.1:\d+\/v1\/files\/images\/img_[0-9a-f]{32}\.jpeg$/;

/** The URL of the first markdown image in a message's content. */
function markdownUrl(content: string | null | undefined): string {
  const match = /!\[generated\]\(([^)\s]+)\)/.exec(content ?? '');
  expect(match, `a markdown image in ${String(content).slice(0, 200)}`).not.toBeNull();
  return match?.[1] as string;
}

async function decoded(response: Response): Promise<{ format?: string; width?: number; height?: number }> {
  const metadata = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
  return { format: metadata.format, width: metadata.width, height: metadata.height };
}

/** A store that counts reads: a forged link must be refused before storage is asked. */
function countingStore(): BlobStore & { reads: number } {
  const inner = createMemoryBlobStore();
  const store = {
    kind: 'counting',
    reads: 0,
    put: inner.put,
    delete: inner.delete,
    async get(key: string) {
      store.reads += 1;
      return inner.get(key);
    },
  };
  return store;
}

describe('hosted image files (images.delivery "url") with the official openai SDK', () => {
  it('answers a non-stream completion with a link (markdown and message.images) to a JPEG of the asked size, fetched without a key', async () => {
    const { client } = await serveGateway({ images: { delivery: 'url' }, imageOutput: 'both' });
    const completion = await client.chat.completions.create(drawing as never);
    const message = completion.choices[0]?.message as { content: string; images?: { image_url: { url: string } }[] };
    const url = markdownUrl(message.content);
    expect(url).toMatch(fileUrlPattern);
    expect(message.images?.[0]?.image_url.url).toBe(url);
    expect(message.content).not.toContain('base64');

    const file = await fetch(url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('cache-control')).toMatch(/^private, max-age=(3600|3599), immutable$/);
    const etag = file.headers.get('etag');
    expect(etag).toMatch(/^"img_[0-9a-f]{32}"$/);
    const length = Number(file.headers.get('content-length'));
    const clone = file.clone();
    expect((await file.arrayBuffer()).byteLength).toBe(length);
    expect(await decoded(clone)).toEqual({ format: 'jpeg', width: 320, height: 240 });

    const again = await fetch(url, { headers: { 'if-none-match': etag as string } });
    expect(again.status).toBe(304);
  });

  it('answers a stream with a link in the image chunk, and the file is there as soon as the link is', async () => {
    const { client } = await serveGateway({ images: { delivery: 'url' } });
    const stream = await client.chat.completions.create({ ...drawing, stream: true } as never);
    let content = '';
    for await (const chunk of stream as unknown as AsyncIterable<{ choices: { delta: { content?: string } }[] }>) {
      content += chunk.choices[0]?.delta.content ?? '';
    }
    const url = markdownUrl(content);
    expect(url).toMatch(fileUrlPattern);
    expect(await decoded(await fetch(url))).toEqual({ format: 'jpeg', width: 320, height: 240 });
  });

  it('answers images.generate({response_format: "url"}) with data[].url in either delivery mode', async () => {
    for (const delivery of ['inline', 'url'] as const) {
      const { client } = await serveGateway({ images: { delivery } });
      const answer = await client.images.generate({
        model: 'local-image',
        prompt: 'a blue square',
        size: '256x192' as '1024x1024',
        output_format: 'png',
        response_format: 'url',
      });
      const url = answer.data?.[0]?.url as string;
      expect(url).toMatch(/\/v1\/files\/images\/img_[0-9a-f]{32}\.png$/);
      expect(answer.data?.[0]?.b64_json).toBeUndefined();
      expect(await decoded(await fetch(url))).toEqual({ format: 'png', width: 256, height: 192 });
      // The surface's own field decides: b64_json stays the default in url delivery.
      const inline = await client.images.generate({ model: 'local-image', prompt: 'a blue square', size: '64x64' as '1024x1024' });
      expect(inline.data?.[0]?.b64_json).toBeTruthy();
    }
  });

  it('serves one Range as 206, refuses an unsatisfiable one with 416, and answers HEAD with the headers alone', async () => {
    const { client } = await serveGateway({ images: { delivery: 'url' } });
    const url = markdownUrl((await client.chat.completions.create(drawing as never)).choices[0]?.message.content);
    const whole = Buffer.from(await (await fetch(url)).arrayBuffer());

    const part = await fetch(url, { headers: { range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${whole.length}`);
    expect(part.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(0, 100))).toBe(true);

    const tail = await fetch(url, { headers: { range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(-10))).toBe(true);

    const beyond = await fetch(url, { headers: { range: `bytes=${whole.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${whole.length}`);
    expect((await beyond.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'RANGE_NOT_SATISFIABLE' });

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(whole.length));
    expect(head.headers.get('content-type')).toBe('image/jpeg');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers 404 in OpenAI form for an unknown, malformed or forged id, with no key needed to ask', async () => {
    const { client, baseURL } = await serveGateway({ images: { delivery: 'url' } });
    const url = markdownUrl((await client.chat.completions.create(drawing as never)).choices[0]?.message.content);
    const unknown = url.replace(/img_[0-9a-f]{32}/, `img_${'0'.repeat(32)}`);
    const flipped = url.replace(/img_([0-9a-f])/, (_, first: string) => `img_${first === 'a' ? 'b' : 'a'}`);
    for (const wrong of [unknown, flipped, `${baseURL}/files/images/%2e%2e%2fsecret`, `${baseURL}/files/images/img_123`, `${url}x`]) {
      const response = await fetch(wrong);
      expect(response.status, wrong).toBe(404);
      expect((await response.json()).error, wrong).toMatchObject({ message: expect.any(String), type: expect.any(String) });
    }
    // The chat route still wants its key: only the file route is open.
    expect((await fetch(`${baseURL}/chat/completions`, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('lets a file expire with its TTL, and says so with a 404', async () => {
    let offsetMs = 0;
    const { client } = await serveGateway({ images: { delivery: 'url', urlTtlSeconds: 60 }, now: () => Date.now() + offsetMs });
    const url = markdownUrl((await client.chat.completions.create(drawing as never)).choices[0]?.message.content);
    expect((await fetch(url)).headers.get('cache-control')).toMatch(/^private, max-age=(60|59), immutable$/);
    offsetMs = 61_000;
    const expired = await fetch(url);
    expect(expired.status).toBe(404);
    expect((await expired.json()).error.message).toMatch(/expired/);
  });

  it('signs links with images.urlSigningSecret, and refuses a forged or expired signature before asking storage', async () => {
    let offsetMs = 0;
    const blobs = countingStore();
    const { client } = await serveGateway({
      blobs,
      images: { delivery: 'url', urlTtlSeconds: 60, urlSigningSecret: 's'.repeat(32) },
      now: () => Date.now() + offsetMs,
    });
    const url = markdownUrl((await client.chat.completions.create(drawing as never)).choices[0]?.message.content);
    expect(url).toMatch(/\.jpeg\?expires=\d+&signature=[\w-]{43}$/);
    expect((await fetch(url)).status).toBe(200);
    const readsBefore = blobs.reads;

    const parsed = new URL(url);
    const signature = parsed.searchParams.get('signature') as string;
    const forged = new URL(url);
    forged.searchParams.set('signature', `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`);
    const longer = new URL(url);
    longer.searchParams.set('expires', String(Number(parsed.searchParams.get('expires')) + 3600));
    const unsigned = `${parsed.origin}${parsed.pathname}`;
    for (const wrong of [forged.href, longer.href, unsigned]) expect((await fetch(wrong)).status, wrong).toBe(404);
    offsetMs = 61_000;
    expect((await fetch(url)).status).toBe(404);
    expect(blobs.reads).toBe(readsBefore);
  });
});

describe('hosted image links sent back in the next turn', () => {
  it('are read from the store, not fetched: the gateway’s own private http address needs no SSRF exception', async () => {
    const { client } = await serveGateway({ images: { delivery: 'url', urlSigningSecret: 'k'.repeat(32) } });
    const first = await client.chat.completions.create(drawing as never);
    const answer = first.choices[0]?.message.content as string;
    expect(markdownUrl(answer)).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const conversation = [
      ...drawing.messages,
      { role: 'assistant' as const, content: answer },
      { role: 'user' as const, content: 'make it brighter' },
    ];
    const second = await client.chat.completions.create({ ...drawing, messages: conversation } as never);
    const url = markdownUrl(second.choices[0]?.message.content);
    expect(await decoded(await fetch(url))).toMatchObject({ format: 'jpeg' });

    // A link this store does not hold goes the ordinary way, through the SSRF guard, which refuses a private http address.
    const unknown = answer.replace(/img_[0-9a-f]{32}/, `img_${'0'.repeat(32)}`);
    const refused = await client.chat.completions
      .create({ ...drawing, messages: [drawing.messages[0], { role: 'assistant', content: unknown }, conversation[2]] } as never)
      .catch((error) => error);
    expect(refused.status).toBe(400);
    expect(refused.error.code).toBe('IMAGE_URL_REFUSED');
  });
});

describe('hosted image files in a shared directory', () => {
  it('are served by another gateway on the same directory (another process, a shared volume)', async () => {
    const path = await mkdtemp(join(tmpdir(), 'hosted-files-'));
    try {
      const writer = await serveGateway({ images: { delivery: 'url' }, blobs: { type: 'directory', path } });
      const reader = await serveGateway({ images: { delivery: 'url' }, blobs: { type: 'directory', path } });
      const url = markdownUrl((await writer.client.chat.completions.create(drawing as never)).choices[0]?.message.content);
      const elsewhere = url.replace(new URL(writer.baseURL).origin, new URL(reader.baseURL).origin);
      expect(elsewhere).not.toBe(url);
      expect(await decoded(await fetch(elsewhere))).toEqual({ format: 'jpeg', width: 320, height: 240 });
    } finally {
      await rm(path, { recursive: true, force: true });
    }
  });
});

describe('the public origin of hosted image links', () => {
  const servers = new Set<Server | GatewayServer>();
  afterEach(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    servers.clear();
  });

  async function draw(options: GatewayOptions, headers: Record<string, string> = {}): Promise<{ url: string; origin: string }> {
    const server = createServer({ apiKeys: [gatewayKey], images: { delivery: 'url' }, ...options });
    servers.add(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const response = await fetch(`${origin}${options.basePath ?? ''}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(drawing),
    });
    return { url: markdownUrl((await response.json()).choices[0].message.content), origin };
  }

  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'attacker.example' };

  it('comes from the request Host, and ignores X-Forwarded-* without trustProxy', async () => {
    const { url, origin } = await draw({}, forwarded);
    expect(url.startsWith(`${origin}/v1/files/images/img_`)).toBe(true);
  });

  it('follows X-Forwarded-Proto and X-Forwarded-Host with trustProxy', async () => {
    const { url } = await draw(
      { trustProxy: true },
      { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'images.example.com, inner.local' },
    );
    expect(url).toMatch(/^https:\/\/images\.example\.com\/v1\/files\/images\/img_[0-9a-f]{32}\.jpeg$/);
  });

  it('is the publicUrl option when set, followed by basePath, whatever the request says', async () => {
    const { url, origin } = await draw({ publicUrl: 'https://cdn.example.com/gw/', basePath: '/api', trustProxy: true }, forwarded);
    expect(url).toMatch(/^https:\/\/cdn\.example\.com\/gw\/api\/v1\/files\/images\/img_[0-9a-f]{32}\.jpeg$/);
    // The file itself is served under basePath on the gateway.
    const local = url.replace('https://cdn.example.com/gw', origin);
    expect((await fetch(local)).status).toBe(200);
  });
});

describe('hosted image files through the Hono adapter on a real socket', () => {
  it('serves GET, Range and HEAD as the Node adapter does', async () => {
    const gatewayApp = imageGateway({ images: { delivery: 'url' } });
    const app = new Hono();
    app.route('/', gatewayApp);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false }) as Server;
    try {
      await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const completion = await fetch(`${origin}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(drawing),
      });
      const url = markdownUrl((await completion.json()).choices[0].message.content);
      expect(url.startsWith(`${origin}/v1/files/images/`)).toBe(true);
      const file = await fetch(url);
      const length = Number(file.headers.get('content-length'));
      expect(file.headers.get('etag')).toMatch(/^"img_/);
      expect(await decoded(file)).toEqual({ format: 'jpeg', width: 320, height: 240 });
      const part = await fetch(url, { headers: { range: 'bytes=10-19' } });
      expect(part.status).toBe(206);
      expect((await part.arrayBuffer()).byteLength).toBe(10);
      const head = await fetch(url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(length));
      expect((await fetch(`${origin}/v1/files/images/img_${'f'.repeat(32)}`)).status).toBe(404);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gatewayApp.close();
    }
  });
});
