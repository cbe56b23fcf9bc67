/**
 * Faults: three relay instances behind the gateway, one of them faulty in a
 * random mix of modes (see fault-relays.js: 5xx, 429, resets before the
 * headers and mid-stream, malformed JSON, a stream without [DONE], hang,
 * drip, no image). Drives `--requests` drawing requests at `--concurrency`,
 * half of them streamed, and prints the success rate, the silent failures
 * (a 200 without an image, or a stream that ends with [DONE] with neither an
 * image nor an error: must be 0), the answers by error code, p50/p99 and
 * `gateway.stats()` afterwards.
 *
 *   node bench/faults/run.js [--requests 3000] [--concurrency 50] [--fault-rate 0.1] [--timeout-ms 3000] [--seed 1]
 *
 * The gateway keeps its default options but for the providers' `timeoutMs`
 * (`--timeout-ms`): a hanging or dripping upstream is ended by it, and the
 * default (300 s) would make one run last an hour.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startProcess } from '../lib/bench-processes.js';
import { emitRows, fixed, percentile, row } from '../lib/bench-stats.js';
import { ensureBuilt } from '../lib/gateway-launch.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '50' },
    'fault-rate': { type: 'string', default: '0.1' },
    'timeout-ms': { type: 'string', default: '3000' },
    seed: { type: 'string', default: '1' },
  },
});
const total = Number(values.requests);
const concurrency = Number(values.concurrency);
const root = fileURLToPath(new URL('../..', import.meta.url));

ensureBuilt();
const relays = startProcess(fileURLToPath(new URL('fault-relays.js', import.meta.url)), {
  args: ['--fault-rate', values['fault-rate'], '--seed', values.seed],
  label: 'fault relays',
});
const { ports } = await relays.ready;
const names = ['relay-1', 'relay-2', 'relay-faulty'];
const options = {
  providers: ports.map((port, index) => ({
    type: 'openai-chat',
    name: names[index],
    baseURL: `http://127.0.0.1:${port}`,
    models: ['bench-image'],
    timeoutMs: Number(values['timeout-ms']),
  })),
};
const gatewayProcess = startProcess(fileURLToPath(new URL('gateway-child.js', import.meta.url)), {
  env: {
    FAULTS_GATEWAY_MODULE: process.env.BENCH_GATEWAY_NODE ?? join(root, 'dist', 'node.js'),
    FAULTS_GATEWAY_OPTIONS: JSON.stringify(options),
    NODE_ENV: 'production',
  },
  label: 'gateway',
});
const { port } = await gatewayProcess.ready;
const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, headersTimeout: 120_000, bodyTimeout: 120_000 });
const headers = { 'content-type': 'application/json' };
const bodies = [false, true].map((stream) =>
  JSON.stringify({ model: 'bench-image', stream, messages: [{ role: 'user', content: 'draw a small blue square' }] }),
);

/** Whether a chat message or delta carries an image: `images[]`, or a data URL in the content. */
function hasImage(fields) {
  return (Array.isArray(fields?.images) && fields.images.length > 0) || /data:image\//.test(fields?.content ?? '');
}

/**
 * One request, classified: `ok` (an image), `silent` (a 200 or a finished
 * stream with no image and no error), the error code the client was given
 * (as JSON or as a stream's error event), or `cut` (a stream without [DONE]).
 */
async function one(stream) {
  const startedAt = performance.now();
  let outcome;
  try {
    const response = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers, body: bodies[Number(stream)] });
    const text = await response.body.text();
    if (response.statusCode !== 200) outcome = JSON.parse(text).error?.code ?? `HTTP ${response.statusCode}`;
    else if (!stream) outcome = hasImage(JSON.parse(text).choices?.[0]?.message) ? 'ok' : 'silent';
    else {
      const events = text
        .split('\n\n')
        .filter((block) => block.startsWith('data: '))
        .map((block) => block.slice(6));
      const done = events.at(-1) === '[DONE]';
      const chunks = events.filter((data) => data !== '[DONE]').map((data) => JSON.parse(data));
      const error = chunks.find((chunk) => chunk.error)?.error;
      const image = chunks.some((chunk) => hasImage(chunk.choices?.[0]?.delta));
      outcome = error ? (error.code ?? 'stream error') : !done ? 'cut' : image ? 'ok' : 'silent';
    }
  } catch (error) {
    outcome = `client: ${error.code ?? error.message}`;
  }
  return { outcome, stream, ms: performance.now() - startedAt };
}

const results = [];
let next = 0;
const startedAt = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const index = next++;
      results.push(await one(index % 2 === 1));
    }
  }),
);
const elapsedS = (performance.now() - startedAt) / 1000;
const { stats } = await gatewayProcess.ask('stats');
const { counts } = await relays.ask('counts');
await pool.close();
await gatewayProcess.stop();
await relays.stop();

const byOutcome = {};
for (const { outcome, stream } of results) {
  byOutcome[outcome] ??= { nonStream: 0, stream: 0 };
  byOutcome[outcome][stream ? 'stream' : 'nonStream'] += 1;
}
const ok = results.filter((result) => result.outcome === 'ok').length;
const silent = results.filter((result) => result.outcome === 'silent').length;
const queueFull = (byOutcome.QUEUE_FULL?.nonStream ?? 0) + (byOutcome.QUEUE_FULL?.stream ?? 0);
const successRate = ok / results.length;
const latencies = results.map((result) => result.ms);
const okLatencies = results.filter((result) => result.outcome === 'ok').map((result) => result.ms);

console.log(`faults: ${results.length} requests at concurrency ${concurrency} in ${fixed(elapsedS, 1)} s (half streamed)`);
console.log(
  `  faulty instance: ${counts.requests.faulty} requests, ${Object.values(counts.injected).reduce((a, b) => a + b, 0)} faults injected (rate ${values['fault-rate']}):`,
);
console.log(
  `    ${Object.entries(counts.injected)
    .map(([mode, count]) => `${mode} ${count}`)
    .join(', ')}`,
);
console.log(`  healthy instances: ${counts.requests.healthy} requests`);
console.log(`  success: ${ok}/${results.length} = ${fixed(successRate * 100, 2)} %`);
console.log(`  silent failures: ${silent}`);
console.log(`  refused with 429 QUEUE_FULL: ${queueFull} (${fixed((queueFull / results.length) * 100, 2)} %)`);
console.log('  answers by outcome (non-stream / stream):');
for (const [outcome, entry] of Object.entries(byOutcome).sort((a, b) => b[1].nonStream + b[1].stream - a[1].nonStream - a[1].stream)) {
  console.log(`    ${outcome.padEnd(28)} ${String(entry.nonStream).padStart(5)} / ${String(entry.stream).padStart(5)}`);
}
console.log(
  `  latency, all: p50 ${fixed(percentile(latencies, 50), 0)} ms, p99 ${fixed(percentile(latencies, 99), 0)} ms; ` +
    `successful: p50 ${fixed(percentile(okLatencies, 50), 0)} ms, p99 ${fixed(percentile(okLatencies, 99), 0)} ms`,
);
console.log('  gateway.stats() afterwards:');
for (const [id, provider] of Object.entries(stats.providers)) {
  const { health } = provider;
  console.log(
    `    ${id.padEnd(13)} completed ${provider.completed}, failed ${provider.failed}, active ${provider.active}, ` +
      `waiting ${JSON.stringify(provider.waiting)}, health ${health.state} (consecutive failures ${health.consecutiveFailures})`,
  );
}

emitRows([
  row(
    'faults: success, one of three relays faulty',
    `${fixed(successRate * 100, 2)} % (429 QUEUE_FULL ${queueFull})`,
    '≥ 99.9 %',
    successRate >= 0.999,
  ),
  row('faults: silent failures', String(silent), '0', silent === 0),
  row(
    'faults: latency p50 / p99',
    `${fixed(percentile(latencies, 50), 0)} / ${fixed(percentile(latencies, 99), 0)} ms`,
    'report',
    undefined,
  ),
]);
