/**
 * Sums a V8 heap snapshot by constructor (self size and count), to see
 * what each waiting stream costs:
 *
 *   node bench/streams/run.js --streams 2000 --heap-snapshot .tmp/streams.heapsnapshot
 *   node bench/lib/heap-summary.js .tmp/streams.heapsnapshot [--per 2000] [--top 40]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { per: { type: 'string', default: '1' }, top: { type: 'string', default: '40' } },
  allowPositionals: true,
});
const snapshot = JSON.parse(readFileSync(positionals[0], 'utf8'));
const { node_fields: fields, node_types: types } = snapshot.snapshot.meta;
const width = fields.length;
const typeNames = types[0];
const at = (name) => fields.indexOf(name);
const [typeAt, nameAt, sizeAt] = [at('type'), at('name'), at('self_size')];
const totals = new Map();
let all = 0;
for (let index = 0; index < snapshot.nodes.length; index += width) {
  const type = typeNames[snapshot.nodes[index + typeAt]];
  const name =
    type === 'object' || type === 'closure' || type === 'native' ? snapshot.strings[snapshot.nodes[index + nameAt]] : `(${type})`;
  const size = snapshot.nodes[index + sizeAt];
  all += size;
  const entry = totals.get(name) ?? { size: 0, count: 0 };
  entry.size += size;
  entry.count += 1;
  totals.set(name, entry);
}
const per = Number(values.per);
console.log(`heap ${(all / 2 ** 20).toFixed(1)} MiB; ${(all / per / 1024).toFixed(1)} KB per unit`);
const top = [...totals.entries()].sort((a, b) => b[1].size - a[1].size).slice(0, Number(values.top));
for (const [name, entry] of top) {
  console.log(`${(entry.size / per).toFixed(0).padStart(8)} B  ${(entry.count / per).toFixed(1).padStart(7)} x  ${name.slice(0, 90)}`);
}
