/**
 * An instant OpenAI-compatible relay (reference §3) that counts the calls it
 * holds at once: from the request's arrival to the end of its answer. The
 * answer (a chat.completion with a 1×1 PNG in `message.images[]`) is
 * serialised once, so the upstream costs next to nothing.
 *
 *   node bench/cluster/counting-upstream.js [--delay-ms 0]
 *
 * `--delay-ms` holds each answer that long (default 0: answered as soon as
 * the body is read), so calls overlap and the limit is put to the test.
 *
 * IPC: `{ type: 'ready', port }`; `reset` → `{ type: 'reset' }`; `counts` → `{ type: 'counts', calls, maxHeld }`.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'delay-ms': { type: 'string', default: '0' } } });
const delayMs = Number(values['delay-ms']);

const pixel = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const answer = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1,
    model: 'bench-image',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Here it is.', images: [{ type: 'image_url', image_url: { url: pixel } }] },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  }),
);
let held = 0;
let maxHeld = 0;
let calls = 0;

const server = createServer((request, response) => {
  held += 1;
  calls += 1;
  if (held > maxHeld) maxHeld = held;
  request.resume();
  request.on('end', () => {
    const send = () => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
      response.end(answer);
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
  response.on('close', () => {
    held -= 1;
  });
});
server.keepAliveTimeout = 60_000;

process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message.type === 'reset') {
    maxHeld = held;
    calls = 0;
    process.send({ type: 'reset' });
  } else if (message.type === 'counts') process.send({ type: 'counts', calls, maxHeld });
  else if (message.type === 'exit') process.exit(0);
});
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
