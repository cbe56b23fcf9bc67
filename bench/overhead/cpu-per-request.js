/**
 * Diagnostics for the overhead benchmark (not part of `npm run bench`): the
 * CPU time each server process spends per request under the same load, read
 * from /proc/<pid>/stat (all its threads, user and system), so the figure
 * holds on a busy machine where throughput does not.
 *
 *   node bench/overhead/cpu-per-request.js [--seconds 4] [--rounds 2]
 *
 * Targets, each in its own process: `fixed` (node:http sending a fixed
 * answer, no upstream: the floor of any Node server here), the minimal
 * proxy, and the gateway (the CLI, as `npm start` runs it) with an
 * `openai-chat` provider in front of the fake upstream.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startProcess } from '../lib/bench-processes.js';
import { ensureBuilt, startGateway } from '../lib/gateway-launch.js';
import { cannon } from '../lib/overhead-load.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '4' }, rounds: { type: 'string', default: '2' } } });
const lib = (name) => fileURLToPath(new URL(`../lib/${name}`, import.meta.url));
/** Clock ticks per second of /proc's utime and stime (100 on Linux). */
const ticksPerSecond = 100;

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

ensureBuilt();
const upstream = startProcess(lib('fake-upstream.js'), { args: ['--image', 'small'], label: 'fake upstream' });
const upstreamUrl = `http://127.0.0.1:${(await upstream.ready).port}`;
const fixed = startProcess(lib('fixed-answer.js'), { label: 'fixed answer' });
const proxy = startProcess(lib('minimal-proxy.js'), { args: [upstreamUrl], label: 'minimal proxy' });
const gateway = await startGateway({
  providers: [{ type: 'openai-chat', baseURL: upstreamUrl, models: ['bench-image'], concurrency: 10_000 }],
  queue: { maxWaiting: 100_000 },
});
const targets = [
  { name: 'fixed', url: `http://127.0.0.1:${(await fixed.ready).port}`, pid: fixed.child.pid },
  { name: 'minimal proxy', url: `http://127.0.0.1:${(await proxy.ready).port}`, pid: proxy.child.pid },
  { name: 'gateway', url: gateway.url, pid: gateway.child.pid },
];
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const target of targets) {
      await cannon(target.url, 1); // warm-up
      const before = cpuSeconds(target.pid);
      const result = await cannon(target.url, Number(values.seconds));
      const micros = ((cpuSeconds(target.pid) - before) * 1e6) / result.requests.total;
      const failed = result.non2xx + result.errors;
      console.log(
        `${target.name.padEnd(14)} ${String(Math.round(result.requests.average)).padStart(6)} req/s  ${micros.toFixed(0).padStart(5)} µs CPU per request${failed ? `  (${failed} failed)` : ''}`,
      );
    }
  }
} finally {
  await Promise.all([gateway.stop(), proxy.stop(), fixed.stop(), upstream.stop()]);
}
