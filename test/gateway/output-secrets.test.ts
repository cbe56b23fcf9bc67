import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageGateway, type ImageGateway } from '../../src/gateway.js';
import { type LoopbackServer, readBody, sendJson, startLoopbackServer } from '../fakes/fake-recording-server.js';
import { dataChunks, parseSse, postChat } from '../helpers/gateway-client.js';

/** A key with no prefix a pattern could know: only the configuration says it is secret. */
const relayKey = 'relaykeyNOPREFIX9876';

/**
 * A broken relay: it answers with the Authorization header it received
 * pasted into the model's text. Streamed, the key is cut across two content
 * deltas, as a model's tokens would cut it, and also sent in the reasoning.
 */
async function echoTheKey(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const body = JSON.parse((await readBody(incoming)).toString());
  const key = String(incoming.headers.authorization ?? '').replace(/^Bearer /, '');
  const base = { id: 'chatcmpl-echo', created: 1, model: body.model };
  if (!body.stream) {
    sendJson(outgoing, 200, {
      ...base,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: `Your header was Bearer ${key}. Mention sk-example keys freely.` },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
    });
    return;
  }
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
  outgoing.write(chunk({ role: 'assistant', reasoning: `thinking about ${key}` }));
  outgoing.write(chunk({ content: `Your header was Bearer ${key.slice(0, 11)}` }));
  outgoing.write(chunk({ content: `${key.slice(11)}. Bye` }));
  outgoing.write(chunk({}, 'stop'));
  outgoing.end('data: [DONE]\n\n');
}

let upstream: LoopbackServer;
let gateway: ImageGateway;

beforeAll(async () => {
  upstream = await startLoopbackServer(echoTheKey);
  gateway = createImageGateway({
    providers: [
      {
        type: 'openai-chat',
        apiKey: relayKey,
        baseURL: `${upstream.url}/v1`,
        models: [{ id: 'relay-chat', capabilities: { imageOutput: false, text: true } }],
      },
    ],
  });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

describe('model output that repeats a configured provider key', () => {
  it('reaches the client with the key taken out and the rest as written', async () => {
    const response = await postChat(gateway, { model: 'relay-chat', messages: [{ role: 'user', content: 'What header did you get?' }] });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).not.toContain(relayKey);
    expect(JSON.parse(text).choices[0].message.content).toBe('Your header was Bearer [redacted]. Mention sk-example keys freely.');
  });

  it('streamed, with the key cut across deltas, reaches the client without any of it', async () => {
    const response = await postChat(gateway, {
      model: 'relay-chat',
      stream: true,
      messages: [{ role: 'user', content: 'What header did you get?' }],
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const chunks = dataChunks(parseSse(text));
    const content = chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('');
    expect(content).toBe('Your header was Bearer [redacted]. Bye');
    // Neither half of the key went out on its own.
    expect(text).not.toContain(relayKey.slice(0, 11));
    expect(text).not.toContain(relayKey.slice(11));
    expect(text).not.toContain(relayKey);
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
