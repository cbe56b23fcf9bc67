/**
 * Diagnostics for the overhead benchmark (not part of `npm run bench`):
 * where the minimal proxy, the validating proxy and the gateway spend their
 * CPU per request under the same load, by package, from a --cpu-prof of
 * each process restricted to the measured window.
 *
 *   node bench/overhead/attribution.js [--seconds 5] [--interval 1000]
 *
 * Its last lines are bounds: the throughput ratio to each proxy the gateway
 * would reach if its own code, its logging (pino) and its validation (zod)
 * cost nothing and it collected garbage no more often than that proxy.
 * Everything else it spends is Node's HTTP server, undici and the kernel,
 * which the proxies pay too. Profiling slows every process alike; the
 * figures are for comparing the columns, not absolute costs.
 */
import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startProcess } from '../lib/bench-processes.js';
import { monotonicMicros, packageKey, readProfile, selfTimes } from '../lib/cpu-profile-read.js';
import { cpuProfileFlags, ensureBuilt, startGateway } from '../lib/gateway-launch.js';
import { cannon } from '../lib/overhead-load.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, interval: { type: 'string', default: '1000' } } });
const lib = (name) => fileURLToPath(new URL(`../lib/${name}`, import.meta.url));
/** What the gateway does that the proxies do not (or, for zod, more than the validating one does): its own code, its log line, its validation. */
const gatewayOnly = new Set(['image-gateway', 'pino', 'zod']);
const names = ['minimal', 'validating', 'gateway'];

/** The newest profile written into `directory`. */
function profileIn(directory) {
  const [file] = readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'));
  return readProfile(join(directory, file));
}

ensureBuilt();
const directories = Object.fromEntries(names.map((name) => [name, mkdtempSync(join(tmpdir(), `bench-${name}-`))]));
const interval = Number(values.interval);
const upstream = startProcess(lib('fake-upstream.js'), { args: ['--image', 'small'], label: 'fake upstream' });
const upstreamUrl = `http://127.0.0.1:${(await upstream.ready).port}`;
const proxies = {
  minimal: startProcess(lib('minimal-proxy.js'), {
    args: [upstreamUrl],
    label: 'minimal proxy',
    execArgv: cpuProfileFlags(directories.minimal, interval),
  }),
  validating: startProcess(lib('validating-proxy.js'), {
    args: [upstreamUrl],
    label: 'validating proxy',
    execArgv: cpuProfileFlags(directories.validating, interval),
  }),
};
const gateway = await startGateway(
  {
    providers: [{ type: 'openai-chat', baseURL: upstreamUrl, models: ['bench-image'], concurrency: 10_000 }],
    queue: { maxWaiting: 100_000 },
  },
  { cpuProfile: { directory: directories.gateway, intervalMicros: interval } },
);

const runs = {};
try {
  for (const [name, url] of [
    ['minimal', `http://127.0.0.1:${(await proxies.minimal.ready).port}`],
    ['validating', `http://127.0.0.1:${(await proxies.validating.ready).port}`],
    ['gateway', gateway.url],
  ]) {
    await cannon(url, 1); // warm-up: connections, JIT
    const from = monotonicMicros();
    const result = await cannon(url, Number(values.seconds));
    runs[name] = { window: { from, to: monotonicMicros() }, requests: result.requests.total, rate: result.requests.average };
  }
} finally {
  // All write their profile on a normal exit: the proxies exit when their IPC channel closes, the gateway on request.
  const exits = Object.values(proxies).map((proxy) => once(proxy.child, 'exit'));
  for (const proxy of Object.values(proxies)) proxy.child.disconnect();
  await Promise.all([...exits, gateway.stop(), upstream.stop()]);
}

const perRequest = {};
for (const name of names) {
  const totals = selfTimes(profileIn(directories[name]), packageKey, runs[name].window);
  totals.delete('(idle)');
  perRequest[name] = new Map([...totals].map(([key, micros]) => [key, micros / runs[name].requests]));
}
/** A proxy's own script shows as its file URL; one row for each. */
const label = (key) => (key.includes('bench/lib/') ? `(${key.split('/').pop()})` : key);
const sum = (map, keep = () => true) => [...map].filter(([key]) => keep(key)).reduce((total, [, micros]) => total + micros, 0);
const keys = [...new Set(names.flatMap((name) => [...perRequest[name].keys()]))]
  .map((key) => [key, ...names.map((name) => perRequest[name].get(key) ?? 0)])
  .filter(([, ...micros]) => micros.some((value) => value >= 0.5))
  .sort((a, b) => b[3] - a[3]);

console.log(`load: 32 connections, ${values.seconds} s; ${names.map((name) => `${name} ${Math.round(runs[name].rate)} req/s`).join(', ')}`);
console.log(`busy CPU per request by package (profiled, ${interval} µs sampling)`);
console.log(`${'package'.padEnd(30)}${'minimal µs'.padStart(12)}${'validating µs'.padStart(15)}${'gateway µs'.padStart(12)}`);
for (const [key, minimal, validating, served] of keys)
  console.log(
    `${label(key).padEnd(30)}${minimal.toFixed(1).padStart(12)}${validating.toFixed(1).padStart(15)}${served.toFixed(1).padStart(12)}`,
  );
const busy = Object.fromEntries(names.map((name) => [name, sum(perRequest[name])]));
console.log(
  `${'busy'.padEnd(30)}${busy.minimal.toFixed(1).padStart(12)}${busy.validating.toFixed(1).padStart(15)}${busy.gateway.toFixed(1).padStart(12)}`,
);
for (const proxy of ['minimal', 'validating']) {
  const gc = (name) => perRequest[name].get('(garbage collector)') ?? 0;
  const floor = sum(perRequest.gateway, (key) => !gatewayOnly.has(key)) - Math.max(0, gc('gateway') - gc(proxy));
  console.log(
    `${proxy} proxy: measured CPU ratio ${(busy[proxy] / busy.gateway).toFixed(2)}x; bound if the gateway's own code, pino and zod were free and its GC matched: ${floor.toFixed(1)} µs, ${(busy[proxy] / floor).toFixed(2)}x`,
  );
}
