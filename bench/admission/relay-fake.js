/**
 * Three fake OpenAI-compatible relays (reference §3) in one process, one
 * port each, answering a non-stream `chat.completion` with a small image
 * in `choices[0].message.images[]` after `--delay-ms`. Instances listed in
 * `--faulty` (comma-separated indexes) fail every request instead: `--fault
 * 500` answers a 500 in OpenAI error form, `reset` cuts the connection
 * before any header, `mixed` alternates the two.
 *
 *   node bench/admission/relay-fake.js [--delay-ms 50] [--faulty 0] [--fault mixed]
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const { values } = parseArgs({
  options: {
    'delay-ms': { type: 'string', default: '50' },
    faulty: { type: 'string', default: '' },
    fault: { type: 'string', default: 'mixed' },
    instances: { type: 'string', default: '3' },
  },
});
const delayMs = Number(values['delay-ms']);
const faulty = new Set(values.faulty === '' ? [] : values.faulty.split(',').map(Number));
if (!['500', 'reset', 'mixed'].includes(values.fault)) throw new Error('--fault takes 500, reset or mixed');

const image = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#c0392b' } })
  .png()
  .toBuffer();
const completion = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: 'bench-image',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: '',
          images: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${image.toString('base64')}` } }],
        },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 9, completion_tokens: 1290, total_tokens: 1299 },
  }),
);
const serverError = Buffer.from(
  JSON.stringify({ error: { message: 'The server had an error', type: 'server_error', param: null, code: null } }),
);

const received = [];
function start(index) {
  received[index] = { requests: 0, failed: 0 };
  let turn = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received[index].requests += 1;
      if (faulty.has(index)) {
        received[index].failed += 1;
        turn += 1;
        const reset = values.fault === 'reset' || (values.fault === 'mixed' && turn % 2 === 0);
        if (reset) request.socket.destroy();
        else response.writeHead(500, { 'content-type': 'application/json', 'content-length': serverError.length }).end(serverError);
        return;
      }
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': completion.length }).end(completion);
      }, delayMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

const ports = [];
for (let index = 0; index < Number(values.instances); index += 1) ports.push(await start(index));

process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message.type === 'received') process.send({ type: 'received', received });
});
process.send({ type: 'ready', ports });
