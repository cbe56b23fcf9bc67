import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterEach, expect } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../src/gateway.js';

/** A drawing request the local engine answers with one picture of `size`. */
export function drawRequest(options: { stream?: boolean; size?: string } = {}) {
  return {
    model: 'local-image',
    stream: options.stream ?? false,
    size: options.size ?? '320x240',
    messages: [{ role: 'user', content: 'draw a red lighthouse on a cliff at sunset' }],
  };
}

/** A local-engine gateway whose generations take `delayMs`, with fast heartbeats. */
export function slowGateway(delayMs: number, extra: { basePath?: string } = {}): ImageGateway {
  return createImageGateway({ providers: [{ type: 'local', delayMs }], heartbeatIntervalMs: 50, ...extra });
}

/** Decodes the first data-URL image in a completion's text and returns what sharp reads from it. */
export async function decodeImage(text: string): Promise<{ format?: string; width?: number; height?: number }> {
  const match = /data:image\/\w+;base64,([A-Za-z0-9+/=]+)/.exec(text);
  expect(match, 'the completion should carry a base64 image').not.toBeNull();
  const metadata = await sharp(Buffer.from(match![1]!, 'base64')).metadata();
  return { format: metadata.format, width: metadata.width, height: metadata.height };
}

/** Polls `condition` every few ms until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function activeGenerations(gateway: ImageGateway): number {
  return gateway.stats().providers.local?.active ?? -1;
}

const openServers = new Set<Server>();
const closers: Array<() => Promise<void>> = [];

// Every server a test listens on and every adapter it tracks is closed after that test.
afterEach(async () => {
  for (const server of openServers) await closeServer(server);
  openServers.clear();
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Closes `closable` (an adapter or its gateway) after the current test. */
export function track<T extends { close(): Promise<void> }>(closable: T): T {
  closers.push(() => closable.close());
  return closable;
}

/** Starts `server` on an ephemeral loopback port (closed after the test) and returns its base URL. */
export async function listen(server: Server): Promise<string> {
  openServers.add(server);
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServer(server: Server | undefined): Promise<void> {
  if (!server?.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** What a streaming client saw: the text up to the first heartbeat, and then everything. */
export interface StreamTranscript {
  beforeFirstHeartbeat: string;
  full: string;
}

/**
 * Reads an SSE body chunk by chunk, noting what had arrived when the first
 * `: keep-alive` showed up: if anything buffered the stream, `[DONE]` would
 * already be in it.
 */
export async function readStream(response: Response): Promise<StreamTranscript> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let full = '';
  let beforeFirstHeartbeat: string | undefined;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    full += decoder.decode(value, { stream: true });
    if (beforeFirstHeartbeat === undefined && full.includes(': keep-alive')) beforeFirstHeartbeat = full;
  }
  return { beforeFirstHeartbeat: beforeFirstHeartbeat ?? '', full };
}

/** Asserts a heartbeat came while the generation was still running, then a full, well-formed stream. */
export async function expectLiveStream(response: Response): Promise<void> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const transcript = await readStream(response);
  expect(transcript.beforeFirstHeartbeat).toContain(': keep-alive');
  expect(transcript.beforeFirstHeartbeat).not.toContain('[DONE]');
  expect(transcript.beforeFirstHeartbeat).not.toContain('data:image');
  expect(transcript.full.trimEnd().endsWith('data: [DONE]')).toBe(true);
  const image = await decodeImage(transcript.full);
  expect(image).toMatchObject({ format: 'jpeg', width: 320, height: 240 });
}

/**
 * Starts a slow generation, waits until it runs, disconnects, and asserts the
 * core stopped it: the slot is freed long before the generation would have
 * finished, and nothing completed.
 */
export async function expectDisconnectAborts(
  gateway: ImageGateway,
  url: string,
  delayMs: number,
  options: { stream?: boolean } = {},
): Promise<void> {
  const client = new AbortController();
  const responding = fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(drawRequest({ stream: options.stream ?? true })),
    signal: client.signal,
  });
  // A stream is cut mid-body; a non-stream answer only comes at the end, so that request is cut before it.
  const outcome = responding.then(
    (response) => response.status,
    (error: Error) => error.name,
  );
  if (options.stream !== false) expect(await outcome).toBe(200);
  await waitFor(() => activeGenerations(gateway) === 1, 5_000, 'the generation to start');
  const abortedAt = Date.now();
  client.abort();
  await waitFor(() => activeGenerations(gateway) === 0, delayMs / 2, 'the generation to be aborted');
  expect(Date.now() - abortedAt).toBeLessThan(delayMs / 2);
  expect(gateway.stats().providers.local?.completed).toBe(0);
  if (options.stream === false) expect(await outcome).toBe('AbortError');
}
