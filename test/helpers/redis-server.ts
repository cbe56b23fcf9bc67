import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';

/**
 * A real `redis-server` for tests: an ephemeral 127.0.0.1 port, persistence
 * off, its own temporary directory, stopped (and the directory removed) by
 * `stop()`. Never a mock client.
 *
 * @example
 * const redis = await startRedisServer();
 * try { ... redis.url ... } finally { await redis.stop(); }
 */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL after 2 s) and removes its directory. */
  stop(): Promise<void>;
  /** Stops the server without removing its directory, to start it again on the same port with `restart()`. */
  pause(): Promise<void>;
  /** Starts it again on the same port after `pause()`. */
  restart(): Promise<void>;
}

let found: boolean | undefined;

/** Whether `redis-server` is on PATH. */
export function hasRedisServer(): boolean {
  if (found === undefined) found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  return found;
}

/**
 * `describe` when `redis-server` is on PATH; otherwise one visible line and a
 * skipped block, except under `CI=true`, where a missing `redis-server` is a
 * failure (CI installs it).
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (hasRedisServer()) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error('redis-server is not on PATH, and CI=true requires it (.ci/run installs the Debian package redis-server)');
    });
    return;
  }
  console.warn(`skipped "${name}": redis-server is not on PATH (install the redis-server package to run it)`);
  describe.skip(name, body);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = '';
    socket.setTimeout(500);
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.startsWith('+PONG'));
      }
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

function launch(port: number, directory: string): ChildProcess {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory, '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.resume();
  return child;
}

async function waitReady(child: ChildProcess, port: number): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${port}`);
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 2_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts a `redis-server` on a free 127.0.0.1 port; retries on a port taken in between. */
export async function startRedisServer(): Promise<RedisServer> {
  const directory = mkdtempSync(join(tmpdir(), 'image-gateway-redis-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    let child = launch(port, directory);
    try {
      await waitReady(child, port);
    } catch (error) {
      lastError = error;
      await terminate(child);
      continue;
    }
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      async stop() {
        await terminate(child);
        rmSync(directory, { recursive: true, force: true });
      },
      async pause() {
        await terminate(child);
      },
      async restart() {
        child = launch(port, directory);
        await waitReady(child, port);
      },
    };
  }
  rmSync(directory, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error('redis-server did not start');
}
