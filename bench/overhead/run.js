/**
 * Overhead: the gateway in front of an instant OpenAI-compatible upstream,
 * beside the upstream alone and two hand-written baselines: a minimal proxy
 * that forwards bytes, and a validating proxy that does the least an
 * OpenAI-compatible gateway must (parse, validate with zod, re-serialise,
 * parse the answer, answer a fresh chat.completion).
 *
 *   node bench/overhead/run.js [--seconds 5] [--connections 32] [--rate 200]
 *
 * Throughput: autocannon at the same concurrency against each target.
 * Latency: requests sent at a fixed rate, evenly spaced (one every 1000/rate
 * ms, scheduled against the clock), each timed at full precision from send
 * to last byte. autocannon's `overallRate` is not that: each connection
 * fires back to back until it has made its share of the second, then waits
 * for the next one, so at "200 req/s" it measures 8 requests queued behind
 * each other in bursts. The baselines run too, to show what any extra hop
 * costs on this machine.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { startProcess } from '../lib/bench-processes.js';
import { emitRows, fixed, percentile, row } from '../lib/bench-stats.js';
import { ensureBuilt, startGateway } from '../lib/gateway-launch.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    rate: { type: 'string', default: '200' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rate = Number(values.rate);
const lib = (name) => fileURLToPath(new URL(`../lib/${name}`, import.meta.url));

const body = JSON.stringify({ model: 'bench-image', messages: [{ role: 'user', content: 'Draw a small red square' }] });
const request = { method: 'POST', headers: { 'content-type': 'application/json' }, body };

function cannon(url, options) {
  return new Promise((resolve, reject) => {
    const times = [];
    const instance = autocannon({ url: `${url}/v1/chat/completions`, connections, ...request, ...options }, (error, result) =>
      error ? reject(error) : resolve({ result, times }),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === 200) times.push(responseTime);
    });
  });
}

async function throughput(name, url) {
  await cannon(url, { duration: 1 }); // warm-up: JIT, keep-alive pools
  const { result } = await cannon(url, { duration: seconds });
  const errors = result.non2xx + result.errors + result.timeouts;
  console.log(
    `${name.padEnd(16)} ${fixed(result.requests.average, 0).padStart(7)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  errors ${errors}`,
  );
  if (errors > 0) throw new Error(`${name}: ${errors} failed requests during the throughput run`);
  return result.requests.average;
}

/** Open loop at `rate` req/s for `seconds`: a request every 1000/rate ms whether or not earlier ones answered. */
async function latencies(url) {
  const pool = new Pool(url, { connections: 64 });
  const send = async () => {
    const startedAt = performance.now();
    const response = await pool.request({ path: '/v1/chat/completions', ...request });
    await response.body.arrayBuffer();
    if (response.statusCode !== 200) throw new Error(`${url}: answered ${response.statusCode} during the latency run`);
    return performance.now() - startedAt;
  };
  try {
    for (let index = 0; index < 20; index++) await send(); // warm-up: connections, JIT
    const interval = 1000 / rate;
    const count = Math.round(rate * seconds);
    const start = performance.now();
    const pending = [];
    for (let index = 0; index < count; index++) {
      const due = start + index * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(send());
    }
    return await Promise.all(pending);
  } finally {
    await pool.close();
  }
}

ensureBuilt();
const upstream = startProcess(lib('fake-upstream.js'), { args: ['--image', 'small'], label: 'fake upstream' });
const { port: upstreamPort } = await upstream.ready;
const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
const proxy = startProcess(lib('minimal-proxy.js'), { args: [upstreamUrl], label: 'minimal proxy' });
const { port: proxyPort } = await proxy.ready;
const validating = startProcess(lib('validating-proxy.js'), { args: [upstreamUrl], label: 'validating proxy' });
const { port: validatingPort } = await validating.ready;
const gateway = await startGateway({
  providers: [{ type: 'openai-chat', baseURL: upstreamUrl, models: ['bench-image'], concurrency: 10_000 }],
  queue: { maxWaiting: 100_000 },
});

try {
  console.log(`throughput, ${connections} connections, ${seconds} s each`);
  const direct = await throughput('upstream', upstreamUrl);
  const proxied = await throughput('minimal proxy', `http://127.0.0.1:${proxyPort}`);
  const validated = await throughput('validating proxy', `http://127.0.0.1:${validatingPort}`);
  const served = await throughput('gateway', gateway.url);
  const ratio = served / proxied;
  const validatingRatio = served / validated;

  console.log(`latency at ${rate} req/s evenly spaced, two interleaved rounds of ${seconds} s`);
  const times = { upstream: [], 'minimal proxy': [], 'validating proxy': [], gateway: [] };
  const urls = {
    upstream: upstreamUrl,
    'minimal proxy': `http://127.0.0.1:${proxyPort}`,
    'validating proxy': `http://127.0.0.1:${validatingPort}`,
    gateway: gateway.url,
  };
  for (let round = 0; round < 2; round++) {
    for (const name of Object.keys(times)) times[name].push(...(await latencies(urls[name])));
  }
  const added = (name, p) => percentile(times[name], p) - percentile(times.upstream, p);
  for (const [name, samples] of Object.entries(times)) {
    console.log(
      `${name.padEnd(16)} p50 ${fixed(percentile(samples, 50), 3)} ms  p99 ${fixed(percentile(samples, 99), 3)} ms  (${samples.length} requests)`,
    );
  }
  // What one extra hop costs on this machine, whatever the proxy: the floor under the gateway's figure.
  const hop = (p) => `minimal proxy adds ${fixed(added('minimal proxy', p), 3)} ms`;
  emitRows([
    row(
      'overhead: throughput gateway / validating proxy',
      `${fixed(validatingRatio)}x (${fixed(served, 0)} vs ${fixed(validated, 0)} req/s)`,
      '>= 0.80x',
      validatingRatio >= 0.8,
    ),
    row(
      'overhead: throughput gateway / minimal proxy',
      `${fixed(ratio)}x (${fixed(served, 0)} vs ${fixed(proxied, 0)} req/s; upstream alone ${fixed(direct, 0)})`,
      'report',
      undefined,
    ),
    row(
      'overhead: throughput validating / minimal proxy',
      `${fixed(validated / proxied)}x (${fixed(validated, 0)} vs ${fixed(proxied, 0)} req/s)`,
      'report',
      undefined,
    ),
    row(
      `overhead: added median latency at ${rate} req/s`,
      `${fixed(added('gateway', 50), 3)} ms (${hop(50)})`,
      '< 1 ms',
      added('gateway', 50) < 1,
    ),
    row(
      `overhead: added p99 latency at ${rate} req/s`,
      `${fixed(added('gateway', 99), 3)} ms (${hop(99)})`,
      '< 5 ms',
      added('gateway', 99) < 5,
    ),
  ]);
} finally {
  await Promise.all([gateway.stop(), proxy.stop(), validating.stop(), upstream.stop()]);
}
