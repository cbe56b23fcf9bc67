/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for
 * tests: every line is a `# HELP`, a `# TYPE` or a sample of a family whose
 * TYPE came first; label values are quoted and escaped; values are numbers;
 * a histogram's buckets grow with `le` and end at `+Inf` equal to `_count`.
 * Throws on the first line that breaks a rule.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const namePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const [name, ...rest] = line.slice(7).split(' ');
      if (!name || !namePattern.test(name)) throw new Error(`bad HELP line: ${line}`);
      help.set(name, rest.join(' '));
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      if (!name || !namePattern.test(name) || !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type ?? '')) {
        throw new Error(`bad TYPE line: ${line}`);
      }
      if (types.has(name)) throw new Error(`TYPE given twice for ${name}`);
      types.set(name, type as string);
      continue;
    }
    if (line.startsWith('#')) continue;
    samples.push(parseSample(line, types));
  }
  checkHistograms(types, samples);
  return { types, help, samples };
}

function parseSample(line: string, types: Map<string, string>): Sample {
  const nameEnd = line.search(/[{ ]/);
  const name = line.slice(0, nameEnd);
  if (!namePattern.test(name)) throw new Error(`bad metric name in: ${line}`);
  const family = familyOf(name, types);
  if (!family) throw new Error(`sample before its TYPE: ${line}`);
  const labels: Record<string, string> = {};
  let rest = line.slice(nameEnd);
  if (rest.startsWith('{')) {
    let index = 1;
    while (rest[index] !== '}') {
      const equals = rest.indexOf('=', index);
      const labelName = rest.slice(index, equals);
      if (!labelNamePattern.test(labelName)) throw new Error(`bad label name ${labelName} in: ${line}`);
      if (rest[equals + 1] !== '"') throw new Error(`unquoted label value in: ${line}`);
      let value = '';
      let at = equals + 2;
      for (; rest[at] !== '"'; at++) {
        if (at >= rest.length) throw new Error(`unterminated label value in: ${line}`);
        if (rest[at] === '\\') {
          const escaped = rest[++at];
          if (escaped === 'n') value += '\n';
          else if (escaped === '\\' || escaped === '"') value += escaped;
          else throw new Error(`bad escape in: ${line}`);
        } else value += rest[at];
      }
      if (labelName in labels) throw new Error(`label ${labelName} twice in: ${line}`);
      labels[labelName] = value;
      index = at + 1;
      if (rest[index] === ',') index += 1;
      else if (rest[index] !== '}') throw new Error(`bad label separator in: ${line}`);
    }
    rest = rest.slice(index + 1);
  }
  const parts = rest.trim().split(' ');
  if (parts.length < 1 || parts.length > 2) throw new Error(`bad value in: ${line}`);
  const raw = parts[0] as string;
  const value = raw === '+Inf' ? Number.POSITIVE_INFINITY : raw === '-Inf' ? Number.NEGATIVE_INFINITY : Number(raw);
  if (raw !== 'NaN' && Number.isNaN(value)) throw new Error(`value is not a number in: ${line}`);
  return { name, labels, value };
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (types.get(base) === 'histogram' || types.get(base) === 'summary') return base;
    }
  }
  return undefined;
}

function checkHistograms(types: Map<string, string>, samples: Sample[]): void {
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
    for (const sample of samples) {
      if (!sample.name.startsWith(family)) continue;
      const { le, ...others } = sample.labels;
      const key = JSON.stringify(Object.entries(others).sort());
      const entry = series.get(key) ?? { buckets: [] };
      series.set(key, entry);
      if (sample.name === `${family}_bucket`) entry.buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), sample.value]);
      if (sample.name === `${family}_count`) entry.count = sample.value;
    }
    for (const [key, entry] of series) {
      let previous = -1;
      for (const [, count] of entry.buckets) {
        if (count < previous) throw new Error(`${family}${key}: buckets do not grow`);
        previous = count;
      }
      const last = entry.buckets.at(-1);
      if (!last || last[0] !== Number.POSITIVE_INFINITY || last[1] !== entry.count)
        throw new Error(`${family}${key}: +Inf bucket is not _count`);
    }
  }
}

/** The samples of `name` whose labels include `labels`. */
export function samplesOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
  );
}

/** The one value of `name` with these labels (the sum when several series match). */
export function sampleValue(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samplesOf(exposition, name, labels);
  return found.length === 0 ? undefined : found.reduce((sum, sample) => sum + sample.value, 0);
}
