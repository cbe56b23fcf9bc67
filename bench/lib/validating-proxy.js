/**
 * The second baseline: the least any OpenAI-compatible gateway must do per
 * request, and nothing more. node:http in, `JSON.parse` of the body, a zod
 * chat-request schema, `JSON.stringify` of the validated request to the
 * upstream given as argv[2] over an undici Pool, `JSON.parse` of its answer,
 * and a fresh `chat.completion` (new id, created, model) stringified back.
 * No queue, deadline, routing, health, logging or image handling.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { z } from 'zod';

const textPart = z.object({ type: z.literal('text'), text: z.string() }).loose();
const imagePart = z
  .object({ type: z.literal('image_url'), image_url: z.union([z.string(), z.object({ url: z.string() }).loose()]) })
  .loose();
const chatRequest = z
  .object({
    model: z.string().min(1).max(256),
    messages: z
      .array(
        z
          .object({
            role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
            content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart])), z.null()]).optional(),
            name: z.string().optional(),
          })
          .loose(),
      )
      .min(1),
    stream: z.boolean().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    max_tokens: z.int().positive().nullish(),
    n: z.int().min(1).max(10).nullish(),
  })
  .loose();

const pool = new Pool(process.argv[2], { connections: 128 });

async function readJson(readable) {
  const chunks = [];
  for await (const chunk of readable) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString());
}

function send(response, status, payload) {
  const body = JSON.stringify(payload);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

const server = createServer(async (request, response) => {
  let chat;
  try {
    chat = chatRequest.parse(await readJson(request));
  } catch (error) {
    send(response, 400, { error: { message: String(error.message).slice(0, 200), type: 'invalid_request_error' } });
    return;
  }
  const upstream = await pool.request({
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(chat),
  });
  const answer = await readJson(upstream.body);
  send(response, upstream.statusCode, {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: chat.model,
    choices: answer.choices,
    usage: answer.usage,
  });
});
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
