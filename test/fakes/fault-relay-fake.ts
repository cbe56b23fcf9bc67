/**
 * A fake OpenAI-compatible relay on 127.0.0.1 that fails the way real
 * relays and networks fail, one mode per instance (switchable): the
 * connection reset before the headers, an SSE stream reset right after its
 * role chunk, a JSON body that ends early, a stream that ends without
 * `finish_reason` or `[DONE]`, malformed JSON, a text-only answer, a 429
 * with a chosen `retry-after`, or a hang. `image` answers properly, in the
 * chat completions wire format (reference §3): `message.images[]` or
 * `delta.images[]`, LF-framed SSE and `data: [DONE]`.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type RecordingServer, sendJson, startRecordingServer } from './fake-recording-server.js';
import { makeFakeImage } from './openai-fake-http.js';

export type FaultMode =
  | 'image' // text + one image, as a healthy relay answers
  | 'text-only' // "I can't draw, but here is a description…": no image
  | 'reset-before-headers' // the socket is destroyed before any byte of the answer
  | 'reset-after-role' // 200 + the role chunk (stream) or the start of the JSON, then the socket is destroyed
  | 'body-ends-early' // non-stream: content-length promises more than is sent; stream: ends after the role chunk
  | 'no-done' // stream: text deltas, then a clean end with neither finish_reason nor [DONE]
  | 'malformed-json' // a body or a chunk that is not JSON
  | 'retry-after' // 429 rate_limit_exceeded with the configured retry-after header
  | 'hang'; // headers never come; stops when the client leaves

export interface FaultRelayFake extends RecordingServer {
  mode: FaultMode;
  /** The `retry-after` header value of the `retry-after` mode. */
  retryAfter: string;
  /** The text of the `text-only` mode. */
  text: string;
}

export async function startFaultRelayFake(mode: FaultMode = 'image'): Promise<FaultRelayFake> {
  const image = await makeFakeImage(64, 48, 'png', 2);
  const dataUrl = `data:image/png;base64,${image.toString('base64')}`;
  const fake = { mode, retryAfter: '1', text: 'I cannot draw, but picture a red cat curled up on a mat.' } as FaultRelayFake;
  const server = await startRecordingServer(async (_incoming, outgoing, record) => {
    const stream = record.body?.stream === true;
    const model = String(record.body?.model ?? 'unknown');
    switch (fake.mode) {
      case 'reset-before-headers':
        outgoing.socket?.destroy();
        return;
      case 'hang':
        await new Promise<void>((resolve) => outgoing.once('close', resolve));
        return;
      case 'retry-after':
        return sendJson(
          outgoing,
          429,
          { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
          { 'retry-after': fake.retryAfter },
        );
      case 'malformed-json':
        if (stream) {
          startStream(outgoing);
          outgoing.write(chunk(model, { role: 'assistant', content: '' }));
          outgoing.end('data: {"id":"chatcmpl-x","choices":[{"delta":{"content":\n\ndata: [DONE]\n\n');
        } else {
          outgoing.writeHead(200, { 'content-type': 'application/json' });
          outgoing.end('{"id":"chatcmpl-x","object":"chat.completion","choices":[{"message":');
        }
        return;
      case 'reset-after-role':
        if (stream) {
          startStream(outgoing);
          outgoing.write(chunk(model, { role: 'assistant', content: '' }), () => outgoing.socket?.destroy());
        } else {
          outgoing.writeHead(200, { 'content-type': 'application/json' });
          outgoing.write('{"id":"chatcmpl-x","object":"chat.completion",', () => outgoing.socket?.destroy());
        }
        return;
      case 'body-ends-early':
        if (stream) {
          startStream(outgoing);
          outgoing.end(chunk(model, { role: 'assistant', content: '' }));
        } else {
          outgoing.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
          outgoing.write('{"id":"chatcmpl-x","object":"chat.completion","choices":[', () => outgoing.socket?.end());
        }
        return;
      case 'no-done':
        if (!stream) return sendJson(outgoing, 200, completion(model, { role: 'assistant', content: fake.text }));
        startStream(outgoing);
        outgoing.write(chunk(model, { role: 'assistant', content: '' }));
        outgoing.end(chunk(model, { content: 'Working on it' }));
        return;
      case 'text-only':
        if (!stream) return sendJson(outgoing, 200, completion(model, { role: 'assistant', content: fake.text }));
        startStream(outgoing);
        outgoing.write(chunk(model, { role: 'assistant', content: '' }));
        for (const piece of fake.text.split(/(?<=,)/)) outgoing.write(chunk(model, { content: piece }));
        outgoing.write(chunk(model, {}, 'stop'));
        outgoing.end('data: [DONE]\n\n');
        return;
      case 'image': {
        const images = [{ type: 'image_url', image_url: { url: dataUrl }, index: 0 }];
        if (!stream) return sendJson(outgoing, 200, completion(model, { role: 'assistant', content: 'Here it is.', images }));
        startStream(outgoing);
        outgoing.write(chunk(model, { role: 'assistant', content: '' }));
        outgoing.write(chunk(model, { content: 'Here it is.' }));
        outgoing.write(chunk(model, { images }));
        outgoing.write(chunk(model, {}, 'stop'));
        outgoing.end('data: [DONE]\n\n');
        return;
      }
    }
  });
  return Object.assign(fake, server);
}

function startStream(outgoing: ServerResponse): void {
  outgoing.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
}

function chunk(model: string, delta: Record<string, unknown>, finishReason: string | null = null): string {
  const body = {
    id: 'chatcmpl-fault',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

function completion(model: string, message: Record<string, unknown>): Record<string, unknown> {
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 9, completion_tokens: 20, total_tokens: 29 },
  };
}
