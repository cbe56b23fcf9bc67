/**
 * Admission under load (issue 18 item 3): 3 000 non-stream requests at
 * concurrency 50 against three relay instances with default options
 * (relay concurrency 10, default queue and routing), once with every
 * instance healthy and once with one of the three failing every request
 * (500s and connection resets, alternately). Prints the success rate, the
 * refusals by error code, p50/p99 latency and /healthz afterwards.
 *
 *   node bench/admission/run.js [--requests 3000] [--concurrency 50] [--delay-ms 50] [--only healthy|faulty]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startProcess } from '../lib/bench-processes.js';
import { emitRows, fixed, percentile, row } from '../lib/bench-stats.js';
import { ensureBuilt, startGateway } from '../lib/gateway-launch.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '50' },
    'delay-ms': { type: 'string', default: '50' },
    only: { type: 'string' },
  },
});
const total = Number(values.requests);
const concurrency = Number(values.concurrency);
const body = JSON.stringify({ model: 'bench-image', messages: [{ role: 'user', content: 'Draw a small red square' }] });
const headers = { 'content-type': 'application/json' };

async function scenario(name, faultyArgs) {
  const upstream = startProcess(fileURLToPath(new URL('relay-fake.js', import.meta.url)), {
    args: ['--delay-ms', values['delay-ms'], ...faultyArgs],
    label: 'relay fake',
  });
  const { ports } = await upstream.ready;
  // Default options: only what names the three instances, and /healthz's details for the printout.
  const gateway = await startGateway({
    healthDetails: true,
    providers: ports.map((port, index) => ({
      type: 'openai-chat',
      name: `relay-${index}`,
      baseURL: `http://127.0.0.1:${port}`,
      models: ['bench-image'],
    })),
  });
  const pool = new Pool(gateway.url, { connections: concurrency, pipelining: 1 });
  const statuses = new Map();
  const latencies = [];
  let next = 0;
  const startedAt = performance.now();
  async function worker() {
    while (next < total) {
      next += 1;
      const sentAt = performance.now();
      let key;
      try {
        const response = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers, body });
        const text = await response.body.text();
        key = response.statusCode === 200 ? '200' : `${response.statusCode} ${JSON.parse(text).error?.code}`;
        if (response.statusCode === 200 && !text.includes('"images"') && !text.includes('data:image')) key = '200 without image';
      } catch (error) {
        key = `client error ${error.code ?? error.message}`;
      }
      latencies.push(performance.now() - sentAt);
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - startedAt) / 1000;
  const health = await (await fetch(`${gateway.url}/healthz`)).json();
  const { received } = await upstream.ask('received');
  await pool.close();
  await gateway.stop();
  await upstream.stop();
  const ok = statuses.get('200') ?? 0;
  const successRate = ok / total;
  console.log(`\n${name}: ${total} requests at concurrency ${concurrency} in ${fixed(seconds, 1)} s`);
  console.log(`  success ${ok}/${total} = ${fixed(successRate * 100, 2)} %`);
  console.log(`  answers ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  console.log(`  latency p50 ${fixed(percentile(latencies, 50), 0)} ms, p99 ${fixed(percentile(latencies, 99), 0)} ms`);
  console.log(`  upstream calls per instance ${JSON.stringify(received)}`);
  console.log(`  /healthz afterwards ${JSON.stringify(health)}`);
  return { successRate, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

ensureBuilt();
const rows = [];
if (values.only !== 'faulty') {
  const healthy = await scenario('three healthy instances', []);
  rows.push(
    row(
      'admission',
      `no fault: ${fixed(healthy.successRate * 100, 2)} % success, p99 ${fixed(healthy.p99, 0)} ms`,
      '>= 99 %',
      healthy.successRate >= 0.99,
    ),
  );
}
if (values.only !== 'healthy') {
  const faulty = await scenario('one of three instances faulty (500s and resets)', ['--faulty', '0', '--fault', 'mixed']);
  rows.push(
    row(
      'admission',
      `one faulty: ${fixed(faulty.successRate * 100, 2)} % success, p99 ${fixed(faulty.p99, 0)} ms`,
      '>= 99 %',
      faulty.successRate >= 0.99,
    ),
  );
}
emitRows(rows);
