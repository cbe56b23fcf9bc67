/**
 * Builds dist/ when it is missing or older than the sources, and starts the
 * built gateway (dist/cli.js through gateway-process.js) with a config file.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, waitForHttp } from './bench-processes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The built standalone server; BENCH_GATEWAY_CLI points elsewhere (e.g. a partial build). */
export const cliPath = process.env.BENCH_GATEWAY_CLI ?? join(root, 'dist', 'cli.js');

function newestSource(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestSource(join(path, entry)));
  return newest;
}

/** Runs `npm run build` when dist/cli.js is missing or stale. */
export function ensureBuilt() {
  if (process.env.BENCH_GATEWAY_CLI) return;
  let builtAt = 0;
  try {
    builtAt = statSync(cliPath).mtimeMs;
  } catch {
    // Missing: build below.
  }
  const sources = ['src', 'adapters', 'package.json', 'tsup.config.ts'].map((name) => newestSource(join(root, name)));
  if (builtAt > Math.max(...sources)) return;
  console.error('dist/ is missing or stale: npm run build');
  execSync('npm run build --silent', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** The node flags that write a --cpu-prof profile into `directory` on exit, sampling every `intervalMicros`. */
export function cpuProfileFlags(directory, intervalMicros = 1000) {
  return ['--cpu-prof', '--cpu-prof-interval', String(intervalMicros), '--cpu-prof-dir', directory];
}

/**
 * Starts the gateway on a free port with `options` (GatewayOptions as JSON,
 * the same file `GATEWAY_CONFIG` takes) and waits until /healthz answers.
 * `cpuProfile: { directory, intervalMicros }` profiles it (as BENCH_CPU_PROFILE does).
 */
export async function startGateway(options, { cpuProfile } = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'image-gateway-bench-'));
  const configPath = join(directory, 'gateway.json');
  writeFileSync(configPath, JSON.stringify(options));
  const port = await freePort();
  const gateway = startProcess(fileURLToPath(new URL('gateway-process.js', import.meta.url)), {
    env: { BENCH_GATEWAY_CLI: cliPath, GATEWAY_CONFIG: configPath, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' },
    // BENCH_CPU_PROFILE=dir writes a --cpu-prof profile of the gateway there on exit.
    execArgv: cpuProfile
      ? cpuProfileFlags(cpuProfile.directory, cpuProfile.intervalMicros)
      : process.env.BENCH_CPU_PROFILE
        ? cpuProfileFlags(process.env.BENCH_CPU_PROFILE, process.env.BENCH_CPU_INTERVAL ?? 1000)
        : [],
    label: 'gateway',
  });
  const url = `http://127.0.0.1:${port}`;
  await gateway.ready;
  await waitForHttp(`${url}/healthz`);
  return { ...gateway, url, port };
}
