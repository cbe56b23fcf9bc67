/**
 * A fake OpenAI-compatible relay (`POST /v1/chat/completions`) that answers
 * with an image in `choices[0].message.images[]` (or `delta.images[]` when
 * the request streams), in the wire format of the reference §3.
 *
 *   node bench/lib/fake-upstream.js --image small|big [--placement images|content] [--delta-size N] [--hold]
 *
 * `--placement content` puts the image as markdown inside `content`
 * ("Here it is:\n\n![image](data:...)"), as relays built like this gateway
 * answer by default (seed 000), instead of in `images[]`. `--delta-size N`
 * streams that content in deltas of N characters, as relays that pass on a
 * model's output piece by piece do.
 * `small` is a 64×64 PNG; `big` a 2000×2000 noise PNG of about 12 MB.
 * With --hold (or after a `hold` message) every request waits until the
 * harness sends `release`.
 * Answers are serialised once at start-up so the upstream costs next to nothing.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const { values } = parseArgs({
  options: {
    image: { type: 'string', default: 'small' },
    placement: { type: 'string', default: 'images' },
    'delta-size': { type: 'string' },
    hold: { type: 'boolean', default: false },
  },
});
if (values.placement !== 'images' && values.placement !== 'content') throw new Error('--placement takes "images" or "content"');
const inContent = values.placement === 'content';

async function makeImage(kind) {
  if (kind === 'big') {
    const noise = { type: 'gaussian', mean: 128, sigma: 80 };
    return sharp({ create: { width: 2000, height: 2000, channels: 3, noise } })
      .png({ compressionLevel: 0 })
      .toBuffer();
  }
  return sharp({ create: { width: 64, height: 64, channels: 3, background: '#c0392b' } })
    .png()
    .toBuffer();
}

const image = await makeImage(values.image);
const dataUrl = `data:image/png;base64,${image.toString('base64')}`;
const markdown = `Here it is:\n\n![image](${dataUrl})`;
const created = Math.floor(Date.now() / 1000);
const usage = { prompt_tokens: 9, completion_tokens: 1290, total_tokens: 1299 };
const completion = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created,
    model: 'bench-image',
    choices: [
      {
        index: 0,
        message: inContent
          ? { role: 'assistant', content: markdown }
          : { role: 'assistant', content: '', images: [{ type: 'image_url', image_url: { url: dataUrl } }] },
        finish_reason: 'stop',
      },
    ],
    usage,
  }),
);
const chunk = (choices, extra = {}) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created, model: 'bench-image', choices, ...extra })}\n\n`;
const deltaSize = Number(values['delta-size'] ?? markdown.length);
let imageChunks = '';
if (!inContent) {
  imageChunks = chunk([{ index: 0, delta: { images: [{ type: 'image_url', image_url: { url: dataUrl } }] }, finish_reason: null }]);
} else {
  for (let start = 0; start < markdown.length; start += deltaSize) {
    imageChunks += chunk([{ index: 0, delta: { content: markdown.slice(start, start + deltaSize) }, finish_reason: null }]);
  }
}
const streamed = Buffer.from(
  chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]) +
    imageChunks +
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]) +
    chunk([], { usage }) +
    'data: [DONE]\n\n',
);

const held = [];
let released = !values.hold;
const received = { requests: 0, bodyBytes: 0 };

function answer(response, stream) {
  if (stream) {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.end(streamed);
  } else {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': completion.length });
    response.end(completion);
  }
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (part) => chunks.push(part));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    received.requests += 1;
    received.bodyBytes += body.length;
    // The gateway serialises with JSON.stringify, so no space follows the colon.
    const stream = body.includes('"stream":true');
    if (released) answer(response, stream);
    else held.push(() => answer(response, stream));
  });
});
server.keepAliveTimeout = 60_000;

// Ends with the harness, even when the harness dies first.
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message.type === 'hold') {
    released = false;
    process.send({ type: 'hold' });
  } else if (message.type === 'release') {
    released = true;
    for (const send of held.splice(0)) send();
    process.send({ type: 'release' });
  } else if (message.type === 'received') {
    process.send({ type: 'received', ...received, held: held.length });
  }
});

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'ready', port: server.address().port, imageBytes: image.length, dataUrlBytes: dataUrl.length });
});
