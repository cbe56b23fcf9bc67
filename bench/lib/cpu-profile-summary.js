/**
 * Prints where a .cpuprofile spent its time, for finding the cause of a
 * missed target:
 *
 *   BENCH_CPU_PROFILE=.tmp/profiles node bench/overhead/run.js
 *   node bench/lib/cpu-profile-summary.js .tmp/profiles/<file>.cpuprofile [--top 30] [--by function|package|inclusive]
 *
 * `function`: self time per function; `package`: self time per package
 * (node_modules/<name>, node internals, the gateway's own code);
 * `inclusive`: time per gateway function including what it calls.
 */
import { parseArgs } from 'node:util';
import { forEachSample, functionKey, packageKey, readProfile } from './cpu-profile-read.js';

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '30' }, by: { type: 'string', default: 'function' } },
  allowPositionals: true,
});
const profile = readProfile(positionals[0]);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

const totals = new Map();
const add = (key, micros) => totals.set(key, (totals.get(key) ?? 0) + micros);
let all = 0;
forEachSample(profile, (id, micros) => {
  all += micros;
  const frame = byId.get(id).callFrame;
  if (values.by === 'package') add(packageKey(frame), micros);
  else if (values.by === 'inclusive') {
    const seen = new Set();
    for (let current = id; current !== undefined; current = parentOf.get(current)) {
      const callFrame = byId.get(current).callFrame;
      if (packageKey(callFrame) !== 'image-gateway') continue;
      const key = functionKey(callFrame);
      if (!seen.has(key)) add(key, micros);
      seen.add(key);
    }
  } else add(functionKey(frame), micros);
});
const top = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
for (const [key, micros] of top)
  console.log(`${((100 * micros) / all).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`);
