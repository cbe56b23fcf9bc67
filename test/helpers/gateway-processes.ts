import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A gateway in a child process of its own (test/fixtures/cluster-gateway.ts). */
export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Asks the process for its `gateway.stats()`. */
  stats(): Promise<Record<string, unknown>>;
  /** Ends it gently (close, then exit); SIGKILL after 3 s. */
  stop(): Promise<void>;
}

let built: Promise<string> | undefined;

/**
 * Bundles the fixture once per test file (the child runs plain JavaScript:
 * Node 20 runs no TypeScript), under `.tmp/` so that it finds the
 * repository's node_modules.
 */
function fixtureScript(): Promise<string> {
  built ??= (async () => {
    const directory = join(root, '.tmp');
    mkdirSync(directory, { recursive: true });
    const outfile = join(directory, `cluster-gateway-${process.pid}.mjs`);
    await build({
      entryPoints: [join(root, 'test/fixtures/cluster-gateway.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile,
      logLevel: 'silent',
    });
    return outfile;
  })();
  return built;
}

/**
 * Starts a gateway process with `environment` (see the fixture) and resolves
 * once it listens and Redis answers it.
 *
 * @example
 * const gateway = await startGatewayProcess({ REDIS_URL: redis.url, UPSTREAM_URL: fake.url });
 * await fetch(`${gateway.url}/healthz`);
 * await gateway.stop();
 */
export async function startGatewayProcess(environment: Record<string, string>): Promise<GatewayProcess> {
  const script = await fixtureScript();
  const child = fork(script, [], { env: { ...process.env, ...environment }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`gateway process exited (${code ?? signal}): ${stderr}`));
    child.once('exit', onExit);
    child.on('message', (message: { type?: string; port?: number }) => {
      if (message.type !== 'ready') return;
      child.off('exit', onExit);
      resolve(message.port as number);
    });
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    stats: () =>
      new Promise((resolve) => {
        const onMessage = (message: { type?: string; stats?: Record<string, unknown> }) => {
          if (message.type !== 'stats') return;
          child.off('message', onMessage);
          resolve(message.stats as Record<string, unknown>);
        };
        child.on('message', onMessage);
        child.send({ type: 'stats' });
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.connected) child.send({ type: 'exit' });
      const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
