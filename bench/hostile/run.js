/**
 * `node bench/hostile/run.js`: each high and medium case of issue 19
 * (items 1 to 7) against the built gateway, alongside normal traffic, one
 * fresh gateway process per case. Per case it prints the gateway's answers,
 * the longest event-loop block (monitorEventLoopDelay inside the gateway
 * process), the gateway's peak RSS, and the p99 of normal requests (a key
 * check: GET /v1/models with a key; a text chat completion) during the
 * attack against the same gateway unloaded just before.
 *
 * Targets: no crash; no block over 100 ms; key checks never wait on image
 * work; peak RSS under 1 GB; normal p99 under 2x unloaded.
 *
 *   node bench/hostile/run.js                  # every case, a few minutes on 2 cores
 *   node bench/hostile/run.js --only 1,4,7     # cases by issue item
 *
 * Every server is on 127.0.0.1: remote image URLs point at the local image
 * host (allowed through allowPrivateNetworks and allowRemotePorts), never
 * at another address.
 */
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { startProcess } from '../lib/bench-processes.js';
import { fixed, percentile } from '../lib/bench-stats.js';
import { ensureBuilt, startGateway } from '../lib/gateway-launch.js';
import { manyScanJpeg } from '../lib/hostile-images.js';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only ? new Set(values.only.split(',')) : undefined;
const here = (path) => new URL(path, import.meta.url).pathname;
const key = 'sk-bench-hostile-key-0123456789';
const auth = { authorization: `Bearer ${key}` };
const mib = 1024 * 1024;

ensureBuilt();
const upstreams = startProcess(here('hostile-upstreams.js'), { label: 'hostile upstreams' });
const { imagePort, relayPort } = await upstreams.ready;

const gatewayOptions = {
  apiKeys: [key],
  providers: [
    { type: 'local' },
    { type: 'openai-chat', apiKey: 'sk-relay-key-0123456789', baseURL: `http://127.0.0.1:${relayPort}`, models: ['relay-image'] },
  ],
  images: {
    allowHttpUrls: true,
    allowPrivateNetworks: ['127.0.0.1/32'],
    allowRemotePorts: [imagePort],
    outputFormat: 'jpeg',
  },
};

const dataUrl = (bytes, type) => `data:${type};base64,${bytes.toString('base64')}`;
const edit = (text, urls, extra = {}) => ({
  model: 'local-image',
  messages: [{ role: 'user', content: [{ type: 'text', text }, ...urls.map((url) => ({ type: 'image_url', image_url: { url } }))] }],
  ...extra,
});

const cases = [
  {
    item: '1',
    name: 'progressive JPEG, 6320x6320, 883 scans: 2 requests of 5',
    async attack(url) {
      const jpeg = dataUrl(manyScanJpeg(6320, 6320, 883), 'image/jpeg');
      return Promise.all([0, 1].map(() => post(url, edit('make it black and white', Array(5).fill(jpeg)))));
    },
  },
  {
    item: '2',
    name: '5 M unknown top-level JSON keys (61 MB)',
    async attack(url) {
      const parts = ['{"model":"local-image","messages":[{"role":"user","content":"hello"}]'];
      for (let index = 0; index < 5_000_000; index += 1) parts.push(`,"${index}":0`);
      parts.push('}');
      return [await post(url, parts.join(''))];
    },
  },
  {
    item: '2',
    name: '1.5 M messages',
    async attack(url) {
      const message = '{"role":"user","content":"a"}';
      const body = `{"model":"local-image","messages":[${Array(1_500_000).fill(message).join(',')}]}`;
      return [await post(url, body)];
    },
  },
  {
    item: '3',
    name: '40 requests with an 8 MB project_id',
    async attack(url) {
      const projectId = 'p'.repeat(8 * mib);
      return inBatches(40, 4, () =>
        post(url, { model: 'local-image', project_id: projectId, messages: [{ role: 'user', content: 'hi' }] }),
      );
    },
  },
  {
    item: '4',
    name: 'remote URLs: 40 requests of 5 x 19 MiB images',
    async attack(url) {
      return inBatches(40, 40, (index) =>
        post(
          url,
          edit(
            'make it brighter',
            [0, 1, 2, 3, 4].map((n) => `http://127.0.0.1:${imagePort}/big/${index}-${n}`),
          ),
        ),
      );
    },
  },
  {
    item: '5',
    name: 'libvips cache: 60 distinct small inputs, 4 at a time',
    async attack(url) {
      return inBatches(60, 4, async (index) => {
        const png = await noisePng(512, 512, index);
        return post(url, edit('make it black and white', [dataUrl(png, 'image/png')]));
      });
    },
  },
  {
    item: '6',
    name: 'local engine: "dim " x 31 000 with one input',
    async attack(url) {
      const png = await noisePng(256, 256, 1);
      return [await post(url, edit('dim '.repeat(31_000), [dataUrl(png, 'image/png')]))];
    },
  },
  {
    item: '6',
    name: 'local engine: 5 x 40 MP inputs',
    async attack(url) {
      const png = await sharp({ create: { width: 6320, height: 6320, channels: 3, background: '#406080' } })
        .png({ compressionLevel: 9 })
        .toBuffer();
      return [await post(url, edit('make it black and white', Array(5).fill(dataUrl(png, 'image/png'))))];
    },
  },
  {
    item: '7',
    name: 'relay answers a 16000x16000 PNG link',
    async attack(url) {
      return inBatches(4, 2, () => post(url, { model: 'relay-image', messages: [{ role: 'user', content: 'draw a cat' }] }));
    },
  },
];

const results = [];
for (const hostileCase of cases) {
  if (only && !only.has(hostileCase.item)) continue;
  results.push(await runCase(hostileCase));
}
await upstreams.stop();

console.log(
  '\n| item | case | answers | longest event-loop block | peak RSS | key check p99 unloaded / attack | chat p99 unloaded / attack |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const result of results) {
  console.log(
    `| ${result.item} | ${result.name} | ${result.answers} | ${fixed(result.blockMs, 0)} ms | ${fixed(result.peakRss / mib, 0)} MiB | ${fixed(result.keyUnloaded, 1)} / ${fixed(result.keyAttack, 1)} ms | ${fixed(result.chatUnloaded, 1)} / ${fixed(result.chatAttack, 1)} ms |`,
  );
}

async function runCase(hostileCase) {
  const gateway = await startGateway(gatewayOptions);
  try {
    await normalTraffic(gateway.url, sleep(1000)); // warm-up, not counted
    const unloaded = await normalTraffic(gateway.url, sleep(3000));
    await gateway.ask('reset');
    const started = performance.now();
    const attack = hostileCase.attack(gateway.url).catch((error) => [`harness error: ${error.message}`]);
    const loaded = await normalTraffic(gateway.url, attack);
    const answers = summarise(await attack);
    const elapsed = performance.now() - started;
    const sample = await gateway.ask('sample').catch(() => undefined);
    const alive = gateway.child.exitCode === null && gateway.child.signalCode === null;
    const result = {
      item: hostileCase.item,
      name: hostileCase.name,
      answers: alive
        ? `${answers} (${fixed(elapsed / 1000, 1)} s)`
        : `gateway died (${gateway.child.exitCode ?? gateway.child.signalCode})`,
      blockMs: sample?.delay.max ?? Number.NaN,
      gcMaxMs: sample?.gc.maxMs ?? Number.NaN,
      peakRss: sample?.peakRss ?? Number.NaN,
      keyUnloaded: percentile(unloaded.key, 99),
      keyAttack: percentile(loaded.key, 99),
      chatUnloaded: percentile(unloaded.chat, 99),
      chatAttack: percentile(loaded.chat, 99),
    };
    console.error(
      `${result.item} ${result.name}: ${result.answers}; block ${fixed(result.blockMs, 0)} ms (longest GC ${fixed(result.gcMaxMs, 0)} ms); peak ${fixed(result.peakRss / mib, 0)} MiB`,
    );
    return result;
  } finally {
    await gateway.stop();
  }
}

/** Key checks and text chats, one at a time each, until `until` settles; their latencies in ms. */
async function normalTraffic(url, until) {
  let done = false;
  until.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  const key = [];
  const chat = [];
  const loop = async (samples, request) => {
    while (!done) {
      const started = performance.now();
      try {
        const response = await request();
        await response.arrayBuffer();
      } catch {
        // A failed normal request counts with the time it took.
      }
      samples.push(performance.now() - started);
      await sleep(20);
    }
  };
  await Promise.all([
    loop(key, () => fetch(`${url}/v1/models`, { headers: auth, signal: AbortSignal.timeout(120_000) })),
    loop(chat, () =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'local-image', messages: [{ role: 'user', content: 'hello' }] }),
        signal: AbortSignal.timeout(120_000),
      }),
    ),
  ]);
  return { key, chat };
}

async function post(url, body) {
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(180_000),
    });
    const text = await response.text();
    let code = '';
    try {
      code = JSON.parse(text).error?.code ?? '';
    } catch {
      // Not JSON.
    }
    return `${response.status}${code ? ` ${code}` : ''}`;
  } catch (error) {
    return `failed: ${error.name === 'TimeoutError' ? 'no answer in 180 s' : error.message}`;
  }
}

async function inBatches(count, concurrency, make) {
  const answers = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        answers.push(await make(index));
      }
    }),
  );
  return answers;
}

function summarise(answers) {
  const counts = new Map();
  for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  return [...counts].map(([answer, count]) => `${count} x ${answer}`).join(', ');
}

function noisePng(width, height, seed) {
  const raw = Buffer.alloc(width * height * 3);
  let state = seed * 2654435761 + 1;
  for (let index = 0; index < raw.length; index += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    raw[index] = state >>> 24;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
