/**
 * Prints the functions that took the most self time in a .cpuprofile, for
 * finding where a missed target goes:
 *
 *   BENCH_CPU_PROFILE=.tmp/profiles node bench/overhead/run.js
 *   node bench/lib/cpu-profile-summary.js .tmp/profiles/<file>.cpuprofile [--top 30]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '30' } }, allowPositionals: true });
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfTime = new Map();
const deltas = profile.timeDeltas;
profile.samples.forEach((id, index) => {
  const frame = byId.get(id).callFrame;
  const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
  selfTime.set(key, (selfTime.get(key) ?? 0) + (deltas[index] ?? 0));
});
const total = [...selfTime.values()].reduce((sum, value) => sum + value, 0);
const top = [...selfTime.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
for (const [key, micros] of top)
  console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`);
