/**
 * `npm run deps:check`: the dependency-advisory habit for a machine where
 * the registry's audit endpoint does not answer (`npm audit` fails with
 * "audit endpoint returned an error" here).
 *
 * 1. Native code the runtime dependencies bundle (sharp's libvips and its
 *    codecs) is invisible to `npm audit` anyway: it audits npm packages, not
 *    the C libraries inside them. The table below holds the lowest versions
 *    known to carry the fixes; raise it when an advisory is published
 *    (libvips' and sharp's GitHub security advisories, sharp's changelog).
 *    Installed versions below a floor fail the check.
 * 2. `npm audit --omit=dev --json`, when the endpoint answers: its
 *    high and critical advisories fail the check; when it does not, the
 *    check says so and goes on.
 * 3. `npm outdated --json` for the runtime dependencies: a dependency whose
 *    latest release is outside our range is printed (a range that can never
 *    reach a fix is how sharp 0.34 kept libvips 8.17.3). Information only.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('../package.json');

/** package → { version: lowest fixed, libvips?: lowest fixed, why } */
const floors = {
  sharp: { version: '0.35.0', libvips: '8.18.0', why: 'libvips 8.17.3 (sharp 0.34.5) has published advisories fixed in sharp 0.35' },
};

let failed = false;

for (const [name, floor] of Object.entries(floors)) {
  // Read from disk: sharp's `exports` do not include its package.json.
  const installed = JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  const lines = [`${name} ${installed} (floor ${floor.version})`];
  if (compare(installed, floor.version) < 0) failed = report(`${name} ${installed} is below ${floor.version}: ${floor.why}`);
  if (floor.libvips) {
    const { versions } = (await import(name)).default;
    lines.push(`libvips ${versions.vips} (floor ${floor.libvips})`);
    if (compare(versions.vips, floor.libvips) < 0) failed = report(`libvips ${versions.vips} is below ${floor.libvips}: ${floor.why}`);
  }
  console.log(`native: ${lines.join(', ')}`);
}

const audit = run('npm', ['audit', '--omit=dev', '--json']);
if (audit.json?.metadata?.vulnerabilities) {
  const { high = 0, critical = 0, moderate = 0 } = audit.json.metadata.vulnerabilities;
  console.log(`npm audit: ${critical} critical, ${high} high, ${moderate} moderate (runtime dependencies)`);
  if (high + critical > 0) failed = report('npm audit reports high or critical advisories: run `npm audit --omit=dev`');
} else {
  console.log('npm audit: the registry audit endpoint did not answer; only the floors above were checked');
}

const outdated = run('npm', ['outdated', '--json']);
for (const [name, entry] of Object.entries(outdated.json ?? {})) {
  if (!(name in (pkg.dependencies ?? {}))) continue;
  if (entry.wanted !== entry.latest) console.log(`outdated: ${name} ${entry.current} -> latest ${entry.latest} is outside "${pkg.dependencies[name]}"`);
  else if (entry.current !== entry.latest) console.log(`outdated: ${name} ${entry.current} -> ${entry.latest} (within range: npm update)`);
}
if (!outdated.json) console.log('npm outdated: the registry did not answer');

console.log(failed ? 'dependency check: FAILED' : 'dependency check: ok');
process.exit(failed ? 1 : 0);

function report(message) {
  console.error(`FAIL ${message}`);
  return true;
}

/** Runs an npm command that exits non-zero when it finds something, and parses its JSON. */
function run(command, args) {
  try {
    return { json: JSON.parse(execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 }) || 'null') };
  } catch (error) {
    try {
      return { json: JSON.parse(error.stdout || 'null') };
    } catch {
      return { json: undefined };
    }
  }
}

function compare(a, b) {
  const left = a.split(/[.-]/).map(Number);
  const right = b.split(/[.-]/).map(Number);
  for (let index = 0; index < 3; index += 1) {
    const difference = (left[index] || 0) - (right[index] || 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}
