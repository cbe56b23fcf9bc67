/**
 * Three fake OpenAI-compatible relays (reference §3) on 127.0.0.1 in one
 * process: two healthy, one faulty. A healthy relay answers after a short
 * "generation" with an image in `message.images[]` / `delta.images[]`. The
 * faulty one fails a share of its requests (`--fault-rate`, default 0.1) in
 * a random mode, and answers the rest like the others:
 *
 *   5xx          500 server_error
 *   429          429 rate_limit_exceeded, retry-after: 1
 *   reset-early  the socket destroyed before the headers
 *   reset-mid    200 + the role chunk (or the start of the JSON), then the socket destroyed
 *   malformed    a JSON body or a chunk that is not JSON
 *   no-done      stream: a text delta, then a clean end with neither finish_reason nor [DONE]
 *                (non-stream: a body that ends before its content-length)
 *   hang         no answer at all, until the gateway lets go
 *   drip         200, then a byte every 100 ms (SSE comments, or JSON whitespace), never finishing
 *   no-image     a text-only answer
 *
 *   node bench/faults/fault-relays.js [--fault-rate 0.1] [--generation-ms 40] [--seed 1]
 *
 * Replies `ready` with the three ports, and `counts` with how often each mode was injected.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const { values } = parseArgs({
  options: {
    'fault-rate': { type: 'string', default: '0.1' },
    'generation-ms': { type: 'string', default: '40' },
    seed: { type: 'string', default: '1' },
  },
});
const faultRate = Number(values['fault-rate']);
const generationMs = Number(values['generation-ms']);
const faultModes = ['5xx', '429', 'reset-early', 'reset-mid', 'malformed', 'no-done', 'hang', 'drip', 'no-image'];

// A small deterministic generator, so a rerun injects the same sequence of faults.
let state = Number(values.seed) >>> 0 || 1;
function random() {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}

const image = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#2e86c1' } })
  .png()
  .toBuffer();
const images = [{ type: 'image_url', image_url: { url: `data:image/png;base64,${image.toString('base64')}` }, index: 0 }];
const usage = { prompt_tokens: 9, completion_tokens: 1290, total_tokens: 1299 };
const counts = { requests: { healthy: 0, faulty: 0 }, injected: Object.fromEntries(faultModes.map((mode) => [mode, 0])) };

function chunk(delta, finishReason = null) {
  const body = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: 'bench-image',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

function completion(message) {
  return JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: 'bench-image',
    choices: [{ index: 0, message, finish_reason: 'stop' }],
    usage,
  });
}

function sendJson(response, status, text, headers = {}) {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

const startStream = (response) => response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });

function answerWell(response, stream, draws = true) {
  const content = draws ? 'Here it is.' : 'I cannot draw right now, but imagine a small blue square.';
  if (!stream) {
    sendJson(response, 200, completion(draws ? { role: 'assistant', content, images } : { role: 'assistant', content }));
    return;
  }
  startStream(response);
  response.write(chunk({ role: 'assistant', content: '' }));
  response.write(chunk({ content }));
  if (draws) response.write(chunk({ images }));
  response.write(chunk({}, 'stop'));
  response.end('data: [DONE]\n\n');
}

/** Writes `text` one byte per 100 ms until the client leaves: never an answer, always "progress". */
function drip(response, text) {
  let position = 0;
  const timer = setInterval(() => {
    response.write(text[position % text.length]);
    position += 1;
  }, 100);
  response.once('close', () => clearInterval(timer));
}

function fail(mode, response, stream) {
  counts.injected[mode] += 1;
  switch (mode) {
    case '5xx':
      return sendJson(
        response,
        500,
        JSON.stringify({ error: { message: 'The server had an error', type: 'server_error', param: null, code: null } }),
      );
    case '429':
      return sendJson(
        response,
        429,
        JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }),
        { 'retry-after': '1' },
      );
    case 'reset-early':
      return response.socket?.destroy();
    case 'reset-mid':
      if (stream) {
        startStream(response);
        response.write(chunk({ role: 'assistant', content: '' }), () => response.socket?.destroy());
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"id":"chatcmpl-bench","object":"chat.completion",', () => response.socket?.destroy());
      }
      return;
    case 'malformed':
      if (stream) {
        startStream(response);
        response.write(chunk({ role: 'assistant', content: '' }));
        response.end('data: {"choices":[{"delta":{"content":\n\ndata: [DONE]\n\n');
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"id":"chatcmpl-bench","choices":[{"message":');
      }
      return;
    case 'no-done':
      if (stream) {
        startStream(response);
        response.write(chunk({ role: 'assistant', content: '' }));
        response.end(chunk({ content: 'Working on it' }));
      } else {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        response.write('{"id":"chatcmpl-bench","object":"chat.completion","choices":[', () => response.socket?.end());
      }
      return;
    case 'hang':
      return;
    case 'drip':
      if (stream) {
        startStream(response);
        response.write(chunk({ role: 'assistant', content: '' }));
        drip(response, ': still working\n\n');
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        drip(response, ' ');
      }
      return;
    case 'no-image':
      return answerWell(response, stream, false);
  }
}

function relay(faulty) {
  return createServer((request, response) => {
    const pieces = [];
    request.on('data', (piece) => pieces.push(piece));
    request.on('end', () => {
      let stream = false;
      try {
        stream = JSON.parse(Buffer.concat(pieces).toString()).stream === true;
      } catch {
        // A bench request is always JSON.
      }
      counts.requests[faulty ? 'faulty' : 'healthy'] += 1;
      const mode = faulty && random() < faultRate ? faultModes[Math.floor(random() * faultModes.length)] : undefined;
      // The mode is chosen at once (a rerun sees the same sequence); the answer after the "generation".
      setTimeout(() => (mode ? fail(mode, response, stream) : answerWell(response, stream)), generationMs);
    });
  });
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

const servers = [relay(false), relay(false), relay(true)];
const ports = [];
for (const server of servers) ports.push(await listen(server));

process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message.type === 'counts') process.send({ type: 'counts', counts });
  if (message.type === 'exit') process.exit(0);
});
process.send({ type: 'ready', ports });
