/**
 * Diagnostics for the overhead benchmark (not part of `npm run bench`):
 * where the minimal proxy and the gateway spend their CPU per request under
 * the same load, by package, from a --cpu-prof of each process restricted
 * to the measured window.
 *
 *   node bench/overhead/attribution.js [--seconds 5] [--interval 1000]
 *
 * Its last line is a bound: the throughput ratio the gateway would reach if
 * its own code, its logging (pino) and its validation (zod) cost nothing and
 * it collected garbage no more often than the proxy. Everything else it
 * spends is Node's HTTP server, undici and the kernel, which the proxy pays
 * too. Profiling slows both processes alike; the figures are for comparing
 * the two columns, not absolute costs.
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
/** What the gateway does that the proxy does not: its own code, its log line and its request validation. */
const gatewayOnly = new Set(['image-gateway', 'pino', 'zod']);

/** The newest profile written into `directory`. */
function profileIn(directory) {
  const [file] = readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'));
  return readProfile(join(directory, file));
}

ensureBuilt();
const directories = { proxy: mkdtempSync(join(tmpdir(), 'bench-proxy-')), gateway: mkdtempSync(join(tmpdir(), 'bench-gateway-')) };
const interval = Number(values.interval);
const upstream = startProcess(lib('fake-upstream.js'), { args: ['--image', 'small'], label: 'fake upstream' });
const upstreamUrl = `http://127.0.0.1:${(await upstream.ready).port}`;
const proxy = startProcess(lib('minimal-proxy.js'), {
  args: [upstreamUrl],
  label: 'minimal proxy',
  execArgv: cpuProfileFlags(directories.proxy, interval),
});
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
    ['proxy', `http://127.0.0.1:${(await proxy.ready).port}`],
    ['gateway', gateway.url],
  ]) {
    await cannon(url, 1); // warm-up: connections, JIT
    const from = monotonicMicros();
    const result = await cannon(url, Number(values.seconds));
    runs[name] = { window: { from, to: monotonicMicros() }, requests: result.requests.total, rate: result.requests.average };
  }
} finally {
  // Both write their profile on a normal exit: the proxy exits when its IPC channel closes, the gateway on request.
  const proxyExit = once(proxy.child, 'exit');
  proxy.child.disconnect();
  await Promise.all([proxyExit, gateway.stop(), upstream.stop()]);
}

const perRequest = {};
for (const name of ['proxy', 'gateway']) {
  const totals = selfTimes(profileIn(directories[name]), packageKey, runs[name].window);
  totals.delete('(idle)');
  perRequest[name] = new Map([...totals].map(([key, micros]) => [key, micros / runs[name].requests]));
}
const sum = (map, keep = () => true) => [...map].filter(([key]) => keep(key)).reduce((total, [, micros]) => total + micros, 0);
const keys = [...new Set([...perRequest.proxy.keys(), ...perRequest.gateway.keys()])]
  .map((key) => [key, perRequest.proxy.get(key) ?? 0, perRequest.gateway.get(key) ?? 0])
  .filter(([, proxyMicros, gatewayMicros]) => proxyMicros >= 0.5 || gatewayMicros >= 0.5)
  .sort((a, b) => b[2] - a[2]);

console.log(
  `load: 32 connections, ${values.seconds} s; proxy ${Math.round(runs.proxy.rate)} req/s, gateway ${Math.round(runs.gateway.rate)} req/s`,
);
console.log(`busy CPU per request by package (profiled, ${interval} µs sampling)`);
console.log(`${'package'.padEnd(28)}${'proxy µs'.padStart(10)}${'gateway µs'.padStart(12)}`);
for (const [key, proxyMicros, gatewayMicros] of keys)
  console.log(`${key.padEnd(28)}${proxyMicros.toFixed(1).padStart(10)}${gatewayMicros.toFixed(1).padStart(12)}`);
const proxyBusy = sum(perRequest.proxy);
const gatewayBusy = sum(perRequest.gateway);
const extraGc = Math.max(0, (perRequest.gateway.get('(garbage collector)') ?? 0) - (perRequest.proxy.get('(garbage collector)') ?? 0));
const floor = sum(perRequest.gateway, (key) => !gatewayOnly.has(key)) - extraGc;
console.log(`${'busy'.padEnd(28)}${proxyBusy.toFixed(1).padStart(10)}${gatewayBusy.toFixed(1).padStart(12)}`);
console.log(`measured CPU ratio proxy / gateway: ${(proxyBusy / gatewayBusy).toFixed(2)}x`);
console.log(
  `bound if the gateway's own code, pino and zod were free and its GC matched the proxy's: ${floor.toFixed(1)} µs, ${(proxyBusy / floor).toFixed(2)}x`,
);
