import { afterEach, describe, expect, it } from 'vitest';
import { manyScanJpeg } from '../../bench/lib/hostile-images.js';
import { createImageGateway, type ImageGateway } from '../../src/gateway.js';
import { conversionConcurrency, createConversionQueue, threadPoolSize } from '../../src/images/image-conversion-queue.js';
import { countJpegScans } from '../../src/images/image-jpeg-scans.js';
import { postChat } from '../helpers/gateway-client.js';
import { dataUrl } from './image-test-helpers.js';

let gateway: ImageGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

function editRequest(...imageUrls: string[]) {
  return {
    model: 'local-image',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'make it black and white' },
          ...imageUrls.map((url) => ({ type: 'image_url', image_url: { url } })),
        ],
      },
    ],
  };
}

describe('a progressive JPEG whose decode cost is out of proportion', () => {
  it('counts scans from the markers, stopping past the limit', () => {
    expect(countJpegScans(manyScanJpeg(64, 64, 1), 32)).toBe(1);
    expect(countJpegScans(manyScanJpeg(64, 64, 10), 32)).toBe(10);
    expect(countJpegScans(manyScanJpeg(64, 64, 883), 32)).toBe(33);
  });

  it('refuses a JPEG of 883 scans with a 400 naming the part and the limit, before decoding it', async () => {
    gateway = createImageGateway();
    const hostile = manyScanJpeg(6320, 6320, 883);
    const started = performance.now();
    const response = await postChat(gateway, editRequest(dataUrl(hostile, 'image/jpeg')));
    const elapsed = performance.now() - started;
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error).toMatchObject({ code: 'IMAGE_TOO_MANY_SCANS', param: 'messages[0].content[1].image_url.url' });
    expect(body.error.message).toContain('the limit is 32 scans (images.maxJpegScans)');
    // Decoding it takes 7 to 20 s; refusing it is marker walking.
    expect(elapsed).toBeLessThan(2_000);
  });

  it('accepts a standard progressive JPEG (10 scans) and honours a wider limit', async () => {
    gateway = createImageGateway();
    expect((await postChat(gateway, editRequest(dataUrl(manyScanJpeg(64, 64, 10), 'image/jpeg')))).status).toBe(200);
    await gateway.close();
    gateway = createImageGateway({ images: { maxJpegScans: 100 } });
    expect((await postChat(gateway, editRequest(dataUrl(manyScanJpeg(64, 64, 90), 'image/jpeg')))).status).toBe(200);
  });
});

describe('the conversion queue', () => {
  it('refuses a conversion when maxWaiting are already waiting, with a 503 that says to retry', async () => {
    const queue = createConversionQueue(1, 1);
    const never = new AbortController().signal;
    let release!: () => void;
    const running = queue.run(() => new Promise<void>((resolve) => (release = resolve)), never);
    const waiting = queue.run(async () => 'second', never);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.counts).toEqual({ running: 1, waiting: 1 });
    await expect(queue.run(async () => 'third', never)).rejects.toMatchObject({
      status: 503,
      code: 'IMAGE_QUEUE_FULL',
      headers: { 'retry-after': '1' },
    });
    release();
    await running;
    expect(await waiting).toBe('second');
    expect(queue.counts).toEqual({ running: 0, waiting: 0 });
  });

  it('frees a waiting place as soon as its request is aborted', async () => {
    const queue = createConversionQueue(1, 1);
    const never = new AbortController().signal;
    let release!: () => void;
    const running = queue.run(() => new Promise<void>((resolve) => (release = resolve)), never);
    const controller = new AbortController();
    const abandoned = queue.run(async () => 'never', controller.signal);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('client left'));
    await expect(abandoned).rejects.toThrow('client left');
    expect(queue.counts.waiting).toBe(0);
    const next = queue.run(async () => 'next', never);
    release();
    await running;
    expect(await next).toBe('next');
  });

  it('answers 503 IMAGE_QUEUE_FULL through the gateway when images arrive faster than they convert', async () => {
    gateway = createImageGateway({ images: { maxConcurrentConversions: 1, maxQueuedConversions: 0 } });
    const png = dataUrl(await solidPng(256));
    // Both inputs of one request enter the queue in the same turn: the second finds it full.
    const refused = await postChat(gateway, editRequest(png, png));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await refused.json()).error).toMatchObject({ type: 'server_error', code: 'IMAGE_QUEUE_FULL' });
  });

  it('keeps running conversions below the thread pool size, so DNS and key checks find a thread', () => {
    expect(threadPoolSize()).toBe(Number(process.env.UV_THREADPOOL_SIZE) || 4);
    expect(conversionConcurrency(64)).toBe(threadPoolSize() - 1);
    expect(conversionConcurrency(2)).toBe(Math.min(2, threadPoolSize() - 1));
    expect(conversionConcurrency(1)).toBe(1);
  });
});

async function solidPng(side: number): Promise<Buffer> {
  const sharp = (await import('sharp')).default;
  return sharp({ create: { width: side, height: side, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
}

describe("sharp's process-wide settings", () => {
  it('turns off the libvips operation cache and runs one libvips thread per conversion', async () => {
    const sharp = (await import('sharp')).default;
    sharp.cache(true);
    sharp.concurrency(4);
    gateway = createImageGateway();
    const cache = sharp.cache();
    expect(cache.memory.max).toBe(0);
    expect(cache.items.max).toBe(0);
    expect(sharp.concurrency()).toBe(1);
  });
});
