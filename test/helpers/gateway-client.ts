import sharp from 'sharp';
import type { ImageGateway } from '../../src/gateway.js';

/** POSTs a chat completion body to the gateway the way an HTTP client would. */
export function postChat(
  gateway: ImageGateway,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return gateway.fetch(
    new Request('http://gateway.test/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...init.headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: init.signal,
    }),
  );
}

export type SseItem = { kind: 'data'; value: string } | { kind: 'comment'; value: string };

/** Splits an SSE body into data and comment events, in order. */
export function parseSse(text: string): SseItem[] {
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) =>
      block.startsWith(':') ? { kind: 'comment', value: block.slice(1).trim() } : { kind: 'data', value: block.replace(/^data: /, '') },
    );
}

/** The JSON chunks of an SSE body (without [DONE]). */
export function dataChunks(items: SseItem[]): any[] {
  return items.filter((item) => item.kind === 'data' && item.value !== '[DONE]').map((item) => JSON.parse(item.value));
}

/**
 * Reads an SSE body incrementally, calling `onItem` as each event arrives.
 * `onItem` returns false to cancel the body (the client leaves), 'pause' to
 * stop reading but keep the connection.
 */
export async function readSseIncrementally(
  response: Response,
  onItem: (item: SseItem) => undefined | boolean | 'pause',
): Promise<SseItem[]> {
  const items: SseItem[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const [item] = parseSse(buffer.slice(0, end + 2));
      buffer = buffer.slice(end + 2);
      if (item) {
        items.push(item);
        const verdict = onItem(item);
        if (verdict === 'pause') {
          reader.releaseLock();
          return items;
        }
        if (verdict === false) {
          await reader.cancel();
          return items;
        }
      }
      end = buffer.indexOf('\n\n');
    }
  }
  return items;
}

/** Decodes the first markdown data-URL image of a message content. */
export async function decodeMarkdownImage(
  content: string,
): Promise<{ format?: string; width?: number; height?: number; bytes: Buffer; mediaType: string }> {
  const match = /!\[[^\]]*\]\(data:(image\/[\w+.-]+);base64,([A-Za-z0-9+/=]+)\)/.exec(content);
  if (!match?.[2] || !match[1]) throw new Error(`no markdown data-URL image in: ${content.slice(0, 80)}`);
  const bytes = Buffer.from(match[2], 'base64');
  const metadata = await sharp(bytes).metadata();
  return { format: metadata.format, width: metadata.width, height: metadata.height, bytes, mediaType: match[1] };
}

/** A solid-colour PNG as a data URL. */
export async function pngDataUrl(
  width: number,
  height: number,
  color: { r: number; g: number; b: number } = { r: 40, g: 120, b: 200 },
): Promise<string> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: color } })
    .png()
    .toBuffer();
  return `data:image/png;base64,${bytes.toString('base64')}`;
}

/** Resolves when `condition` holds, checking on each macrotask; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
