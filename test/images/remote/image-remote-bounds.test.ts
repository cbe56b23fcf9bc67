import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageGateway } from '../../../src/gateway.js';
import { createImageIngester } from '../../../src/images/ingest/image-ingest.js';
import { FetchSlots } from '../../../src/images/remote/image-fetch-slots.js';
import { postChat } from '../../helpers/gateway-client.js';
import { type FakeImageHost, startFakeImageHost } from '../fake-image-host.js';
import { never, rejection, twoToneImage, userReference } from '../image-test-helpers.js';

let host: FakeImageHost;
let png: Buffer;
const kib = 1024;
/** Every streamed download, and whether the gateway took it to the end or cut it off. */
const streams: { path: string; sent: number; finished: boolean; cut: boolean }[] = [];
/** Requests to /held/* still waiting for `releaseHeld`. */
let held: ServerResponse[] = [];
let mostHeldAtOnce = 0;

const localOptions = () => ({ allowHttpUrls: true, allowPrivateNetworks: ['127.0.0.1/32'], allowRemotePorts: [host.port] });

beforeAll(async () => {
  host = await startFakeImageHost();
  png = await twoToneImage('png', 48, 24);
  for (const name of ['a', 'b', 'c']) {
    // 600 KiB of PNG-typed bytes in 16 KiB chunks, one per 5 ms: a slow image host.
    host.route(`/slow/${name}`, (_request, response) => {
      const stream = { path: name, sent: 0, finished: false, cut: false };
      streams.push(stream);
      response.writeHead(200, { 'content-type': 'image/png' });
      const chunk = Buffer.alloc(16 * kib, 7);
      const timer = setInterval(() => {
        if (stream.sent >= 600 * kib) {
          clearInterval(timer);
          stream.finished = true;
          response.end();
          return;
        }
        stream.sent += chunk.length;
        response.write(stream.sent === chunk.length ? Buffer.concat([png.subarray(0, 16), chunk.subarray(16)]) : chunk);
      }, 5);
      response.on('close', () => {
        clearInterval(timer);
        if (!stream.finished) stream.cut = true;
      });
    });
  }
  for (const name of ['d', 'e', 'f']) {
    // The same 600 KiB, declared up front in content-length: headers at once, then a chunk per 5 ms.
    host.route(`/declared/${name}`, (_request, response) => {
      const stream = { path: name, sent: 0, finished: false, cut: false };
      streams.push(stream);
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': 600 * kib });
      response.flushHeaders();
      const chunk = Buffer.alloc(16 * kib, 7);
      const timer = setInterval(() => {
        if (stream.sent >= 600 * kib) {
          clearInterval(timer);
          stream.finished = true;
          response.end();
          return;
        }
        stream.sent += chunk.length;
        response.write(stream.sent === chunk.length ? Buffer.concat([png.subarray(0, 16), chunk.subarray(16)]) : chunk);
      }, 5);
      response.on('close', () => {
        clearInterval(timer);
        if (!stream.finished) stream.cut = true;
      });
    });
  }
  for (const name of ['1', '2', '3', '4']) {
    host.route(`/held/${name}`, (_request, response) => {
      held.push(response);
      mostHeldAtOnce = Math.max(mostHeldAtOnce, held.filter((entry) => !entry.destroyed && !entry.writableEnded).length);
      response.on('close', () => {
        held = held.filter((entry) => entry !== response);
      });
    });
  }
});

afterAll(() => host.close());

function releaseHeld(): void {
  for (const response of held.splice(0)) response.writeHead(200, { 'content-type': 'image/png' }).end(png);
}

describe("a request's remote images", () => {
  it('stop downloading once their bytes together pass maxTotalImageBytes, not after every download ended', async () => {
    streams.length = 0;
    const ingester = createImageIngester({ ...localOptions(), maxImageBytes: 1024 * kib, maxTotalImageBytes: 1024 * kib });
    const references = ['a', 'b', 'c'].map((name, index) => userReference(`${host.origin}/slow/${name}`, index));
    const error = await rejection(ingester.ingest(references, never));
    expect(error).toMatchObject({ status: 400, code: 'IMAGE_TOO_LARGE' });
    expect(error.message).toMatch(/brings the request's images to more than 1048576 bytes .*images\.maxTotalImageBytes/);
    await Promise.all(streams.map((stream) => waitUntil(() => stream.finished || stream.cut)));
    // 3 × 600 KiB were on offer: the gateway took a little over 1 MiB and cut every download off.
    expect(streams.map((stream) => stream.cut)).toEqual([true, true, true]);
    expect(streams.reduce((total, stream) => total + stream.sent, 0)).toBeLessThan(1400 * kib);
  });

  it('are refused at the headers when their declared lengths together pass maxTotalImageBytes', async () => {
    streams.length = 0;
    const ingester = createImageIngester({ ...localOptions(), maxImageBytes: 1024 * kib, maxTotalImageBytes: 1024 * kib });
    const references = ['d', 'e', 'f'].map((name, index) => userReference(`${host.origin}/declared/${name}`, index));
    const error = await rejection(ingester.ingest(references, never));
    expect(error).toMatchObject({ status: 400, code: 'IMAGE_TOO_LARGE' });
    expect(error.message).toMatch(
      /is 614400 bytes, which brings the request's images to more than 1048576 bytes .*images\.maxTotalImageBytes/,
    );
    await Promise.all(streams.map((stream) => waitUntil(() => stream.finished || stream.cut)));
    // 2 × 600 KiB declared is over 1 MiB: nothing near the limit was read before the refusal.
    expect(streams.reduce((total, stream) => total + stream.sent, 0)).toBeLessThan(400 * kib);
  });
});

describe('remote fetches gateway-wide', () => {
  it('runs at most maxConcurrentFetches at once across requests; the rest wait their turn', async () => {
    mostHeldAtOnce = 0;
    const gateway = createImageGateway({ images: { ...localOptions(), maxConcurrentFetches: 2 } });
    try {
      const edit = (...paths: string[]) => ({
        model: 'local-image',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'make it grey' },
              ...paths.map((path) => ({ type: 'image_url', image_url: { url: `${host.origin}${path}` } })),
            ],
          },
        ],
      });
      const first = postChat(gateway, edit('/held/1', '/held/2'));
      const second = postChat(gateway, edit('/held/3', '/held/4'));
      await waitUntil(() => held.length === 2);
      // Two are held open by the host; the other two have not reached it.
      expect(host.requests.filter((request) => request.url.startsWith('/held/')).length).toBe(2);
      while (host.requests.filter((request) => request.url.startsWith('/held/')).length < 4 || held.length > 0) {
        releaseHeld();
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
      expect(mostHeldAtOnce).toBe(2);
    } finally {
      await gateway.close();
    }
  });

  it('answers 503 IMAGE_FETCH_BUSY when no fetch slot frees within remoteTimeoutMs', async () => {
    // One bound shared by a patient ingester holding the only slot and an impatient one.
    const fetchSlots = new FetchSlots(1);
    const patient = createImageIngester({ ...localOptions(), remoteTimeoutMs: 10_000 }, { fetchSlots });
    const impatient = createImageIngester({ ...localOptions(), remoteTimeoutMs: 300 }, { fetchSlots });
    const holding = patient.ingest([userReference(`${host.origin}/held/1`)], never);
    await waitUntil(() => held.length === 1);
    const error = await rejection(impatient.ingest([userReference(`${host.origin}/held/2`)], never));
    expect(error).toMatchObject({ status: 503, code: 'IMAGE_FETCH_BUSY', headers: { 'retry-after': '1' } });
    expect(error.message).toContain('images.maxConcurrentFetches');
    releaseHeld();
    await holding;
  });
});

/** Polls a condition the fake host's events settle, one event-loop turn at a time. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
