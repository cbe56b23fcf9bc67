/**
 * `npm run bench`: builds dist/ if needed, runs every benchmark in its own
 * process (each starts its own servers) and prints one table: benchmark,
 * figure, target, met or not.
 *
 *   npm run bench                          # everything, about 4 minutes on 2 cores
 *   node bench/run-all.js --only overhead,streams
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuilt } from './lib/gateway-launch.js';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const root = here('..');

const benchmarks = [
  { name: 'overhead', command: [process.execPath, here('overhead/run.js')] },
  { name: 'streams', command: [process.execPath, here('streams/run.js')] },
  { name: 'big-images', command: [process.execPath, here('big-images/run.js')] },
  { name: 'local-engine', command: [process.execPath, here('local-engine/run.js')] },
  { name: 'faults', command: [process.execPath, here('faults/run.js')] },
  { name: 'admission', command: [process.execPath, here('admission/run.js')] },
  { name: 'cluster', command: [process.execPath, here('cluster/run.js')] },
  // Owned by the image-ingest work; a TypeScript script, so it runs through vite-node.
  {
    name: 'image-ingest',
    command: ['npx', 'vite-node', 'bench/image-ingest/run.ts'],
    optional: here('image-ingest/run.ts'),
    parse: parseIngest,
  },
];

/** Reads the figures bench/image-ingest prints ("ingest / direct time: 1.05x (budget 1.2x)"). */
function parseIngest(output) {
  const time = /ingest \/ direct time: ([\d.]+)x \(budget ([\d.]+)x\)/.exec(output);
  const memory = /^ingest\s+\d+\s+([\d.]+ MiB)\s+([\d.]+)\s*$/m.exec(output);
  const rows = [];
  if (time)
    rows.push({
      benchmark: 'image ingest: time / sharp alone (5 x 4 MP)',
      figure: `${time[1]}x`,
      target: `<= ${time[2]}x`,
      met: Number(time[1]) <= Number(time[2]),
    });
  if (memory)
    rows.push({
      benchmark: 'image ingest: peak RSS growth / input bytes',
      figure: `${memory[2]}x (${memory[1]})`,
      target: 'report',
      met: undefined,
    });
  return rows;
}

function run(benchmark) {
  return new Promise((resolve) => {
    const [command, ...args] = benchmark.command;
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      // The detail goes to stderr as it comes, so a long run shows progress; stdout keeps the table.
      process.stderr.write(chunk);
    });
    child.on('close', (code) => {
      if (benchmark.parse) {
        const rows = benchmark.parse(output);
        resolve(rows.length > 0 ? rows : [failed(benchmark, `exit ${code}, no figures`)]);
        return;
      }
      const last = output.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last).rows);
      } catch {
        resolve([failed(benchmark, `exit ${code}, no figures`)]);
      }
    });
  });
}

const failed = (benchmark, why) => ({ benchmark: benchmark.name, figure: `failed (${why})`, target: '', met: false, crashed: true });

const started = performance.now();
const machine = `${cpus().length} x ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg()
  .map((load) => load.toFixed(1))
  .join(' ')} at start`;
ensureBuilt();
const rows = [];
for (const benchmark of benchmarks) {
  if (values.only && !values.only.split(',').includes(benchmark.name)) continue;
  if (benchmark.optional && !existsSync(benchmark.optional)) continue;
  process.stderr.write(`\n== ${benchmark.name}\n`);
  rows.push(...(await run(benchmark)));
}

const table = [
  ['benchmark', 'figure', 'target', 'met'],
  ...rows.map((entry) => [entry.benchmark, entry.figure, entry.target, entry.met === undefined ? '-' : entry.met ? 'yes' : 'NO']),
];
const widths = table[0].map((_, column) => Math.max(...table.map((line) => String(line[column]).length)));
const format = (line) => `| ${line.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
console.log(`\nmachine: ${machine}; ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
console.log(format(table[0]));
console.log(format(widths.map((width) => '-'.repeat(width))));
for (const line of table.slice(1)) console.log(format(line));
// A missed target is a figure, not a failure; a benchmark that could not run is.
process.exitCode = rows.some((entry) => entry.crashed) ? 1 : 0;
