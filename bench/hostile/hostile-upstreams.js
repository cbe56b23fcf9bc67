/**
 * The hostile bench's upstreams, in their own process so serving tens of MB
 * does not disturb the harness's latency clock:
 * - an image host on 127.0.0.1: `/big/N` answers 19 MiB starting with a PNG header
 *   (under the 20 MiB per-image limit, so only the per-request total can stop
 *   them), `/huge.png` a valid 16000×16000 PNG of 31 KB;
 * - an OpenAI-compatible relay on 127.0.0.1 whose chat answer links
 *   `/huge.png` as a markdown image (issue 19 item 7).
 * Reports `{ imagePort, relayPort }` when ready and `{ served }` on 'stats'.
 */
import { createServer } from 'node:http';
import { hugeBlankPng } from '../lib/hostile-images.js';

const mib = 1024 * 1024;
// A PNG signature and an IHDR of 2000×2000 (so the header check passes), then filler.
const bigBody = Buffer.alloc(19 * mib, 7);
hugeBlankPng(2000, 2000).copy(bigBody, 0, 0, 33);
const hugePng = hugeBlankPng(16000, 16000);
let served = 0;

const images = createServer((request, response) => {
  if (request.url?.startsWith('/big/')) {
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': bigBody.length });
    // In 1 MiB writes, as a real host streams; a client that stops reading stops it.
    let offset = 0;
    const pump = () => {
      while (offset < bigBody.length) {
        const chunk = bigBody.subarray(offset, offset + mib);
        offset += chunk.length;
        served += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      response.end();
    };
    response.on('close', () => {
      offset = bigBody.length;
    });
    pump();
    return;
  }
  if (request.url === '/huge.png') {
    served += hugePng.length;
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': hugePng.length }).end(hugePng);
    return;
  }
  response.writeHead(404).end();
});

const relay = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    const json = body ? JSON.parse(body) : {};
    const content = `Here it is: ![image](http://127.0.0.1:${images.address().port}/huge.png)`;
    const completion = {
      id: 'chatcmpl-hostile',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: json.model ?? 'relay-image',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 20, total_tokens: 25 },
    };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion));
  });
});

await Promise.all([
  new Promise((resolve) => images.listen(0, '127.0.0.1', resolve)),
  new Promise((resolve) => relay.listen(0, '127.0.0.1', resolve)),
]);
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message.type === 'stats') process.send({ type: 'stats', served });
  if (message.type === 'exit') process.exit(0);
});
process.send({ type: 'ready', imagePort: images.address().port, relayPort: relay.address().port });
