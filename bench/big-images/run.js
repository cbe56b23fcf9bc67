/**
 * Big images through the gateway: a 12 MB image from the upstream to 20
 * concurrent clients (non-streamed, then streamed; in `images[]`, then as
 * markdown inside `content`), and requests carrying
 * 5 input images of 4 MP. For each, the gateway's peak RSS growth against
 * the bytes in flight, and its longest event-loop block.
 *
 *   node bench/big-images/run.js [--clients 20] [--rounds 2] [--input-clients 4] [--only output|input]
 *
 * `--only input` runs just the input-image part (and `--only output` just the
 * 12 MB answers), to iterate on one of them; the default runs both, in order.
 *
 * Bytes in flight = concurrent requests × the payload each carries on the
 * wire (the image's base64 data URL out, or the whole request body in).
 *
 * The input part runs twice: as `npm start` runs, and with
 * MALLOC_MMAP_THRESHOLD_=131072 in the gateway's environment (a report row),
 * which shows how much of the growth is glibc keeping freed buffers.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Pool } from 'undici';
import { startProcess } from '../lib/bench-processes.js';
import { emitRows, fixed, mib, row } from '../lib/bench-stats.js';
import { ensureBuilt, startGateway } from '../lib/gateway-launch.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    'input-clients': { type: 'string', default: '4' },
    only: { type: 'string' },
  },
});
if (values.only !== undefined && values.only !== 'output' && values.only !== 'input') {
  throw new Error(`--only takes "output" or "input", not ${JSON.stringify(values.only)}`);
}
const runOutput = values.only !== 'input';
const runInput = values.only !== 'output';
const clients = Number(values.clients);
const rounds = Number(values.rounds);
const inputClients = Number(values['input-clients']);
const eventLoopResolutionMs = 10;
const side = 2000; // 4 MP

/** Photo-like 4 MP inputs (a gradient with grain), in the formats clients send most. */
async function makeInputs() {
  const formats = ['jpeg', 'png', 'webp', 'jpeg', 'jpeg'];
  return Promise.all(
    formats.map(async (format, index) => {
      const grain = await sharp({
        create: { width: side, height: side, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 10 + index } },
      })
        .png({ compressionLevel: 1 })
        .toBuffer();
      const gradient = Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><defs><linearGradient id="g"><stop offset="0" stop-color="#2${index}6"/><stop offset="1" stop-color="#fc${index}"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`,
      );
      const bytes = await sharp(gradient)
        .composite([{ input: grain, blend: 'overlay' }])
        .toFormat(format, { quality: 90 })
        .toBuffer();
      return `data:image/${format};base64,${bytes.toString('base64')}`;
    }),
  );
}

const lib = (name) => fileURLToPath(new URL(`../lib/${name}`, import.meta.url));
ensureBuilt();
const bigUpstream = startProcess(lib('fake-upstream.js'), { args: ['--image', 'big'], label: 'fake upstream (12 MB)' });
const markdownUpstream = startProcess(lib('fake-upstream.js'), {
  args: ['--image', 'big', '--placement', 'content'],
  label: 'fake upstream (12 MB as markdown)',
});
const deltasUpstream = startProcess(lib('fake-upstream.js'), {
  args: ['--image', 'big', '--placement', 'content', '--delta-size', String(16 * 1024)],
  label: 'fake upstream (12 MB as markdown in 16 KiB deltas)',
});
const smallUpstream = startProcess(lib('fake-upstream.js'), { args: ['--image', 'small'], label: 'fake upstream (small)' });
const [big, markdown, deltas, small] = await Promise.all([
  bigUpstream.ready,
  markdownUpstream.ready,
  deltasUpstream.ready,
  smallUpstream.ready,
]);
const gatewayOptions = {
  providers: [
    { type: 'openai-chat', name: 'big', baseURL: `http://127.0.0.1:${big.port}`, models: ['big-image'], concurrency: clients },
    {
      type: 'openai-chat',
      name: 'markdown',
      baseURL: `http://127.0.0.1:${markdown.port}`,
      models: ['big-markdown-image'],
      concurrency: clients,
    },
    {
      type: 'openai-chat',
      name: 'deltas',
      baseURL: `http://127.0.0.1:${deltas.port}`,
      models: ['big-markdown-deltas-image'],
      concurrency: clients,
    },
    { type: 'openai-chat', name: 'small', baseURL: `http://127.0.0.1:${small.port}`, models: ['edit-image'], concurrency: clients },
  ],
  queue: { maxWaiting: 1000 },
};
// Each scenario gets a fresh gateway process: memory a previous scenario left with the allocator
// would otherwise hide (or inflate) the next one's growth.
let gateway;
let pool;

async function call(body) {
  const response = await pool.request({
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json' },
    body,
  });
  let bytes = 0;
  for await (const chunk of response.body) bytes += chunk.length;
  if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
  return bytes;
}

/**
 * Runs `concurrency` clients for `rounds` requests each and reads the gateway's peak RSS and longest block.
 * `environment` is added to the gateway process's environment, as a deployment would set it.
 */
async function scenario(name, concurrency, body, bytesPerRequest, checkBytes, environment = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, environment);
  try {
    gateway = await startGateway(gatewayOptions);
  } finally {
    for (const key of Object.keys(environment)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
  pool = new Pool(gateway.url, { connections: clients, headersTimeout: 120_000, bodyTimeout: 120_000 });
  try {
    return await measure(name, concurrency, body, bytesPerRequest, checkBytes);
  } finally {
    await pool.destroy().catch(() => {});
    await gateway.stop();
  }
}

async function measure(name, concurrency, body, bytesPerRequest, checkBytes) {
  await call(body); // warm-up, outside the figures
  const { rss: before } = await gateway.ask('reset');
  const started = performance.now();
  const sizes = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const received = [];
      for (let round = 0; round < rounds; round++) received.push(await call(body));
      return received;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sample = await gateway.ask('sample');
  const growth = sample.peakRss - before;
  const inFlight = concurrency * bytesPerRequest;
  const blocked = Math.max(0, sample.delay.max - eventLoopResolutionMs);
  const short = sizes.flat().filter((size) => size < checkBytes).length;
  if (short > 0) throw new Error(`${name}: ${short} responses were shorter than the image`);
  console.log(
    `${name}: ${concurrency * rounds} requests in ${fixed(seconds, 1)} s; peak RSS growth ${mib(growth)} = ${fixed(growth / inFlight)}x of ${mib(inFlight)} in flight; longest block ${fixed(blocked, 0)} ms`,
  );
  return [
    row(
      `big images: ${name}, peak RSS growth / bytes in flight`,
      `${fixed(growth / inFlight)}x (${mib(growth)} / ${mib(inFlight)})`,
      '< 3x',
      growth < 3 * inFlight,
    ),
    row(`big images: ${name}, longest event-loop block`, `${fixed(blocked, 0)} ms`, '< 50 ms', blocked < 50),
  ];
}

/**
 * The floor under the longest block: one JSON.parse and one JSON.stringify
 * of the upstream's 12 MB answer, timed here (outside the gateway) on an
 * idle loop. A gateway that parses JSON answers whole cannot block for less.
 */
async function jsonFloor() {
  const response = await fetch(`http://127.0.0.1:${big.port}/v1/chat/completions`, { method: 'POST', body: '{}' });
  const text = await response.text();
  let parseMs = Number.POSITIVE_INFINITY;
  let stringifyMs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    const value = JSON.parse(text);
    const parsed = performance.now();
    JSON.stringify(value);
    parseMs = Math.min(parseMs, parsed - started);
    stringifyMs = Math.min(stringifyMs, performance.now() - parsed);
  }
  return { parseMs, stringifyMs };
}

try {
  const rows = [];
  let floor;
  if (runOutput) {
    console.log(`upstream image: ${mib(big.imageBytes)} PNG, ${mib(big.dataUrlBytes)} as a data URL`);
    floor = await jsonFloor();
    console.log(
      `floor on this machine: JSON.parse of the answer ${fixed(floor.parseMs, 0)} ms, JSON.stringify ${fixed(floor.stringifyMs, 0)} ms`,
    );
    const ask = (stream, model = 'big-image') =>
      JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'Draw a detailed landscape' }] });
    rows.push(...(await scenario(`12 MB out x${clients} non-stream`, clients, ask(false), big.dataUrlBytes, big.dataUrlBytes)));
    rows.push(...(await scenario(`12 MB out x${clients} stream`, clients, ask(true), big.dataUrlBytes, big.dataUrlBytes)));
    // The same image as markdown inside the upstream's `content`: the answer relays built like this gateway give.
    const inContent = (stream) => ask(stream, 'big-markdown-image');
    const name = (stream) => `12 MB out as markdown x${clients} ${stream ? 'stream' : 'non-stream'}`;
    rows.push(...(await scenario(name(false), clients, inContent(false), markdown.dataUrlBytes, markdown.dataUrlBytes)));
    rows.push(...(await scenario(name(true), clients, inContent(true), markdown.dataUrlBytes, markdown.dataUrlBytes)));
    rows.push(
      ...(await scenario(
        `12 MB out as markdown in 16 KiB deltas x${clients} stream`,
        clients,
        ask(true, 'big-markdown-deltas-image'),
        deltas.dataUrlBytes,
        deltas.dataUrlBytes,
      )),
    );
  }
  if (runInput) {
    const inputs = await makeInputs();
    const content = [
      { type: 'text', text: 'Make these images more vibrant' },
      ...inputs.map((url) => ({ type: 'image_url', image_url: { url } })),
    ];
    const editBody = JSON.stringify({ model: 'edit-image', messages: [{ role: 'user', content }] });
    console.log(`edit request: 5 inputs of ${side}x${side}, body ${mib(editBody.length)}`);
    rows.push(...(await scenario(`5 x 4 MP in x${inputClients}`, inputClients, editBody, editBody.length, 100)));
    // glibc raises its mmap threshold to the largest block freed (sharp frees 12 MB frames), and from
    // then on keeps freed multi-MB buffers in per-thread arenas: most of the growth above. A fixed
    // threshold returns them to the system; this row is the same run with the setting a deployment makes.
    const fixedThreshold = { MALLOC_MMAP_THRESHOLD_: '131072' };
    const withSetting = await scenario(
      `5 x 4 MP in x${inputClients} with MALLOC_MMAP_THRESHOLD_=131072`,
      inputClients,
      editBody,
      editBody.length,
      100,
      fixedThreshold,
    );
    rows.push(...withSetting.map((measured) => ({ ...measured, target: 'report', met: undefined })));
  }
  if (floor) {
    rows.push(
      row(
        'big images: floor, one JSON.parse + JSON.stringify of the 12 MB answer',
        `${fixed(floor.parseMs + floor.stringifyMs, 0)} ms`,
        'report',
        undefined,
      ),
    );
  }
  emitRows(rows);
} finally {
  await Promise.all([bigUpstream.stop(), markdownUpstream.stop(), deltasUpstream.stop(), smallUpstream.stop()]);
}
