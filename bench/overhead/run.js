/**
 * Overhead: the gateway in front of an instant OpenAI-compatible upstream,
 * beside the upstream alone and a minimal hand-written proxy.
 *
 *   node bench/overhead/run.js [--seconds 5] [--connections 32] [--rate 200]
 *
 * Throughput: autocannon at the same concurrency against each target.
 * Latency: autocannon at a fixed overall rate, with every response time
 * kept at full precision (autocannon's own histogram rounds to 1 ms); the
 * minimal proxy runs too, to show what any extra hop costs on this machine.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
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
    `${name.padEnd(14)} ${fixed(result.requests.average, 0).padStart(7)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  errors ${errors}`,
  );
  if (errors > 0) throw new Error(`${name}: ${errors} failed requests during the throughput run`);
  return result.requests.average;
}

async function latencies(url) {
  const { times, result } = await cannon(url, { duration: seconds, connections: 8, overallRate: rate });
  if (result.non2xx + result.errors > 0) throw new Error(`${url}: failed requests during the latency run`);
  return times;
}

ensureBuilt();
const upstream = startProcess(lib('fake-upstream.js'), { args: ['--image', 'small'], label: 'fake upstream' });
const { port: upstreamPort } = await upstream.ready;
const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
const proxy = startProcess(lib('minimal-proxy.js'), { args: [upstreamUrl], label: 'minimal proxy' });
const { port: proxyPort } = await proxy.ready;
const gateway = await startGateway({
  providers: [{ type: 'openai-chat', baseURL: upstreamUrl, models: ['bench-image'], concurrency: 10_000 }],
  queue: { maxWaiting: 100_000 },
});

try {
  console.log(`throughput, ${connections} connections, ${seconds} s each`);
  const direct = await throughput('upstream', upstreamUrl);
  const proxied = await throughput('minimal proxy', `http://127.0.0.1:${proxyPort}`);
  const served = await throughput('gateway', gateway.url);
  const ratio = served / proxied;

  console.log(`latency at ${rate} req/s, two interleaved rounds of ${seconds} s`);
  const times = { upstream: [], 'minimal proxy': [], gateway: [] };
  const urls = { upstream: upstreamUrl, 'minimal proxy': `http://127.0.0.1:${proxyPort}`, gateway: gateway.url };
  for (let round = 0; round < 2; round++) {
    for (const name of Object.keys(times)) times[name].push(...(await latencies(urls[name])));
  }
  const added = (name, p) => percentile(times[name], p) - percentile(times.upstream, p);
  for (const [name, samples] of Object.entries(times)) {
    console.log(
      `${name.padEnd(14)} p50 ${fixed(percentile(samples, 50), 3)} ms  p99 ${fixed(percentile(samples, 99), 3)} ms  (${samples.length} requests)`,
    );
  }
  // What one extra hop costs on this machine, whatever the proxy: the floor under the gateway's figure.
  const hop = (p) => `minimal proxy adds ${fixed(added('minimal proxy', p), 3)} ms`;
  emitRows([
    row(
      'overhead: throughput gateway / minimal proxy',
      `${fixed(ratio)}x (${fixed(served, 0)} vs ${fixed(proxied, 0)} req/s; upstream alone ${fixed(direct, 0)})`,
      '>= 0.70x',
      ratio >= 0.7,
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
  await Promise.all([gateway.stop(), proxy.stop(), upstream.stop()]);
}
