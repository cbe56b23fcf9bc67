/**
 * A fake OpenAI-compatible relay on 127.0.0.1 (reference §3) whose answers
 * the test schedules: held until released, answered at once, a 500, a 429
 * with `retry-after-ms`, or a reset before any header. The answer is a
 * `chat.completion` (or its SSE chunks and `data: [DONE]`) with one image
 * in `message.images` / `delta.images`. Counts what it holds at once.
 */
import type { ServerResponse } from 'node:http';
import { sendJson, startRecordingServer } from './fake-recording-server.js';

export type HeldRelayMode = 'hold' | 'answer' | 'fail' | 'rate-limit' | 'reset';

export interface HeldRelayFake {
  url: string;
  /** How the next requests are answered (held ones stay held until released). */
  mode: HeldRelayMode;
  /** The delay a 429 asks for, in ms (`retry-after-ms`). */
  retryAfterMs: number;
  calls: number;
  /** Requests held now, and the most held at once. */
  held: number;
  maxHeld: number;
  /** Answers every held request with an image. */
  releaseAll(): void;
  /** Resolves when `count` requests are held at once. */
  waitForHeld(count: number): Promise<void>;
  close(): Promise<void>;
}

const pixel = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

export async function startHeldRelayFake(): Promise<HeldRelayFake> {
  const holding: (() => void)[] = [];
  const watchers: (() => void)[] = [];
  const fake: HeldRelayFake = {
    url: '',
    mode: 'answer',
    retryAfterMs: 1_000,
    calls: 0,
    held: 0,
    maxHeld: 0,
    releaseAll: () => {
      for (const release of holding.splice(0)) release();
    },
    async waitForHeld(count) {
      while (fake.held < count) await new Promise<void>((resolve) => watchers.push(resolve));
    },
    close: async () => {},
  };
  const server = await startRecordingServer(async (incoming, outgoing, record) => {
    fake.calls += 1;
    const stream = record.body?.stream === true;
    const model = String(record.body?.model ?? 'unknown');
    const mode = fake.mode;
    if (mode === 'reset') return void incoming.socket.destroy();
    if (mode === 'fail') {
      return sendJson(outgoing, 500, { error: { message: 'The server had an error', type: 'server_error', param: null, code: null } });
    }
    if (mode === 'rate-limit') {
      return sendJson(
        outgoing,
        429,
        { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
        { 'retry-after-ms': String(fake.retryAfterMs) },
      );
    }
    if (mode === 'hold') {
      fake.held += 1;
      fake.maxHeld = Math.max(fake.maxHeld, fake.held);
      for (const wake of watchers.splice(0)) wake();
      const released = await new Promise<boolean>((resolve) => {
        holding.push(() => resolve(true));
        outgoing.once('close', () => resolve(false));
      });
      fake.held -= 1;
      if (!released) return;
    }
    answer(outgoing, model, stream);
  });
  fake.url = server.url;
  fake.close = () => {
    fake.releaseAll();
    return server.close();
  };
  return fake;
}

function answer(outgoing: ServerResponse, model: string, stream: boolean): void {
  const base = { id: 'chatcmpl-held', created: Math.floor(Date.now() / 1000), model };
  const images = [{ type: 'image_url', image_url: { url: pixel } }];
  if (!stream) {
    sendJson(outgoing, 200, {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Here it is.', images }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 10, total_tokens: 15 },
    });
    return;
  }
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  outgoing.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  outgoing.end(
    chunk({ role: 'assistant', content: '' }, null) +
      chunk({ content: 'Here it is.', images }, null) +
      chunk({}, 'stop') +
      'data: [DONE]\n\n',
  );
}
