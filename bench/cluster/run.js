/**
 * Several gateway processes, one set of limits (issue 20): 1, 2 and 3
 * gateway processes (the built standalone server) in front of one instant
 * relay, with the memory store (each process its own limits) and with one
 * shared Redis. Per configuration: throughput, latency p50/p99 and the most
 * calls the upstream held at once (the Redis runs must never pass the one
 * global `--concurrency`). Then the p50/p99 of one admission round trip on
 * its own (the admit script with a free slot, then the release).
 *
 *   node bench/cluster/run.js [--seconds 4] [--connections 48] [--concurrency 16] [--processes 1,2,3] [--round-trips 5000] [--delay-ms 0]
 *
 * `--delay-ms` makes the upstream hold each answer (default 0, instant): with
 * a few ms the calls overlap and the most held at once shows the limit.
 *
 * Needs `redis-server` on PATH.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { freePort, startProcess } from '../lib/bench-processes.js';
import { emitRows, fixed, percentile, row } from '../lib/bench-stats.js';
import { ensureBuilt, startGateway } from '../lib/gateway-launch.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '48' },
    concurrency: { type: 'string', default: '16' },
    processes: { type: 'string', default: '1,2,3' },
    'round-trips': { type: 'string', default: '5000' },
    'delay-ms': { type: 'string', default: '0' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const concurrency = Number(values.concurrency);
const counts = values.processes.split(',').map(Number);
const body = JSON.stringify({ model: 'bench-image', messages: [{ role: 'user', content: 'Draw a small red square' }] });
const headers = { 'content-type': 'application/json' };
const root = fileURLToPath(new URL('../..', import.meta.url));

async function startRedis() {
  const directory = mkdtempSync(join(tmpdir(), 'image-gateway-bench-redis-'));
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory],
    {
      stdio: 'ignore',
    },
  );
  // Reconnects every 20 ms until redis-server listens; commands wait for it meanwhile.
  const client = new Redis({ port, host: '127.0.0.1', retryStrategy: () => 20 });
  client.on('error', () => {});
  await client.ping();
  return {
    url: `redis://127.0.0.1:${port}`,
    client,
    async stop() {
      client.disconnect();
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** `connections` requests in flight, spread evenly over the gateways, for `seconds` after a 1 s warm-up. */
async function load(urls) {
  const pools = urls.map((url) => new Pool(url, { connections: Math.ceil(connections / urls.length), pipelining: 1 }));
  const latencies = [];
  const statuses = new Map();
  let measuring = false;
  let stopAt = Date.now() + 1_000 + seconds * 1_000;
  const measureFrom = Date.now() + 1_000;
  const worker = async (pool) => {
    while (Date.now() < stopAt) {
      const startedAt = performance.now();
      const response = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body });
      await response.body.dump();
      if (!measuring && Date.now() >= measureFrom) measuring = true;
      if (measuring) {
        latencies.push(performance.now() - startedAt);
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, (_, index) => worker(pools[index % pools.length])));
  stopAt = 0;
  await Promise.all(pools.map((pool) => pool.close()));
  const elapsed = (Date.now() - Math.max(started, measureFrom)) / 1000;
  return { rate: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), statuses };
}

async function configuration(store, processCount, upstreamPort, redis, run) {
  const options = {
    providers: [{ type: 'openai-chat', name: 'relay', baseURL: `http://127.0.0.1:${upstreamPort}`, models: ['bench-image'], concurrency }],
    queue: { maxWaiting: 100_000 },
    ...(store === 'redis' ? { store: { type: 'redis', url: redis.url, keyPrefix: `bench${run}:` } } : {}),
  };
  const gateways = [];
  for (let index = 0; index < processCount; index += 1) gateways.push(await startGateway(options));
  try {
    await upstream.ask('reset');
    const result = await load(gateways.map((gateway) => gateway.url));
    const { maxHeld } = await upstream.ask('counts');
    return { ...result, maxHeld };
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
  }
}

/** The admit script with a free slot, then the release: one round trip each, timed from this process. */
async function roundTrips(redis) {
  const bundle = await build({
    entryPoints: [join(root, 'src/generation/admission/shared-admission-scripts.ts')],
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const scripts = await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`);
  const client = redis.client;
  const [admit, release] = await Promise.all([client.script('LOAD', scripts.admitScript), client.script('LOAD', scripts.releaseScript)]);
  const key = (part) => `bench-rt:{gw}:admission:${part}`;
  const keys = [key('waiters'), key('waiter-info'), key('x:slots'), key('x:line'), key('x:room:n'), key('x:room:s')];
  const admitTimes = [];
  const releaseTimes = [];
  const total = Number(values['round-trips']);
  for (let index = 0; index < total + 500; index += 1) {
    const id = `lease-${index}`;
    let startedAt = performance.now();
    const answer = await client.evalsha(admit, keys.length, ...keys, id, 'n', 15_000, '', '0', concurrency, concurrency, 10_000, '1');
    const admitted = performance.now() - startedAt;
    if (answer[0] !== 'slot') throw new Error(`expected a free slot, got ${answer[0]}`);
    startedAt = performance.now();
    await client.evalsha(release, 2, keys[2], keys[3], id, key('freed'), 'x');
    // The first 500 warm up the connection and the JIT.
    if (index >= 500) {
      admitTimes.push(admitted);
      releaseTimes.push(performance.now() - startedAt);
    }
  }
  const pings = [];
  for (let index = 0; index < total; index += 1) {
    const startedAt = performance.now();
    await client.ping();
    pings.push(performance.now() - startedAt);
  }
  return {
    admit: { p50: percentile(admitTimes, 50), p99: percentile(admitTimes, 99) },
    release: { p50: percentile(releaseTimes, 50), p99: percentile(releaseTimes, 99) },
    ping: { p50: percentile(pings, 50), p99: percentile(pings, 99) },
  };
}

if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.log('skipped: redis-server is not on PATH');
  emitRows([row('cluster', 'skipped: redis-server is not on PATH', '', undefined)]);
  process.exit(0);
}
ensureBuilt();
const redis = await startRedis();
const upstream = startProcess(fileURLToPath(new URL('counting-upstream.js', import.meta.url)), {
  args: ['--delay-ms', values['delay-ms']],
  label: 'counting upstream',
});
const { port: upstreamPort } = await upstream.ready;
const results = {};
const rows = [];
try {
  let run = 0;
  for (const processCount of counts) {
    for (const store of ['memory', 'redis']) {
      run += 1;
      const result = await configuration(store, processCount, upstreamPort, redis, run);
      results[`${store}:${processCount}`] = result;
      const statuses = [...result.statuses].map(([status, count]) => `${status}×${count}`).join(' ');
      console.log(
        `${store.padEnd(6)} ${processCount} process(es): ${fixed(result.rate, 0)} req/s, p50 ${fixed(result.p50)} ms, p99 ${fixed(result.p99)} ms, ` +
          `upstream held at most ${result.maxHeld} (limit ${concurrency}${store === 'memory' ? ' per process' : ', global'}), ${statuses}`,
      );
    }
  }
  const trips = await roundTrips(redis);
  console.log(
    `one admission (admit script, free slot): p50 ${fixed(trips.admit.p50, 3)} ms, p99 ${fixed(trips.admit.p99, 3)} ms; ` +
      `release: p50 ${fixed(trips.release.p50, 3)} ms, p99 ${fixed(trips.release.p99, 3)} ms; PING: p50 ${fixed(trips.ping.p50, 3)} ms, p99 ${fixed(trips.ping.p99, 3)} ms`,
  );
  for (const processCount of counts) {
    const memory = results[`memory:${processCount}`];
    const shared = results[`redis:${processCount}`];
    rows.push(
      row('cluster', `${processCount} proc: redis ${fixed(shared.rate, 0)} req/s vs memory ${fixed(memory.rate, 0)}`, '', undefined),
    );
    rows.push(
      row(
        'cluster',
        `${processCount} proc: p50 added ${fixed(shared.p50 - memory.p50)} ms, p99 added ${fixed(shared.p99 - memory.p99)} ms`,
        '',
        undefined,
      ),
    );
    rows.push(
      row('cluster', `${processCount} proc: upstream held at most ${shared.maxHeld}`, `<= ${concurrency}`, shared.maxHeld <= concurrency),
    );
  }
  if (results['redis:1'] && results['redis:3']) {
    const ratio = results['redis:3'].rate / results['redis:1'].rate;
    rows.push(row('cluster', `3 proc / 1 proc throughput (redis): ${fixed(ratio)}×`, '>= 1.5×', ratio >= 1.5));
  }
  rows.push(
    row(
      'cluster',
      `admission round trip p50 ${fixed(trips.admit.p50, 3)} ms, p99 ${fixed(trips.admit.p99, 3)} ms`,
      '< 1 ms p99',
      trips.admit.p99 < 1,
    ),
  );
} finally {
  await upstream.stop();
  await redis.stop();
}
emitRows(rows);
