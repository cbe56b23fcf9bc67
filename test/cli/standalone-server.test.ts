import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const minutes = 60_000;
/** A copy of the package (its own dist/, the repo's node_modules linked), so `npm start` builds where no other suite looks. */
let copy: string;

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'image-gateway-cli-'));
  for (const entry of ['package.json', 'tsconfig.json', 'tsup.config.ts', 'src', 'adapters'])
    await cp(join(root, entry), join(copy, entry), { recursive: true });
  await symlink(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
}, minutes);

afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  }
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(command: string, args: string[], environment: Record<string, string>): Run {
  // A group of its own, so a failed test can still stop everything it started (see afterEach).
  const child = spawn(command, args, {
    cwd: copy,
    env: { ...process.env, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function occupy(port: number): Promise<Server> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}

async function waitForOutput(run: Run, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`no ${pattern} in:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm start', () => {
  it(
    'builds quietly, and SIGTERM to npm reaches the server, which drains, exits and frees its port',
    async () => {
      const port = await freePort();
      const run = start('npm', ['start'], { PORT: String(port) });
      await waitForOutput(run, /playground: .*\n/, 4 * minutes);
      // npm's two lines per script, the server's log line, its five lines and the playground and metrics URLs: no build log.
      expect(run.output()).not.toMatch(/Build start|Build success|CLI Building|ESM |CJS |DTS /);
      expect(
        run
          .output()
          .split('\n')
          .filter((line) => line.trim() !== '').length,
        run.output(),
      ).toBeLessThanOrEqual(12);
      // The page it names is there, with no key to type on an open gateway.
      expect(run.output()).toContain(`playground: http://127.0.0.1:${port}/playground\n`);
      const page = await fetch(`http://127.0.0.1:${port}/playground`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>image-gateway playground</title>');
      // Metrics are on in the standalone server, and it says where.
      expect(run.output()).toContain(`metrics: http://127.0.0.1:${port}/metrics`);
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('# TYPE image_gateway_requests_total counter');
      run.child.kill('SIGTERM');
      await run.exited;
      // The port is free again only once the server itself is gone (an orphan would keep listening).
      const deadline = Date.now() + 5_000;
      let server: Server | undefined;
      while (!server) {
        server = await occupy(port).catch((error: unknown) => {
          if (Date.now() > deadline) throw error;
          return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50));
        });
      }
      await new Promise((resolve) => server.close(resolve));
    },
    5 * minutes,
  );
});

describe('the standalone server at start-up', () => {
  const cli = (environment: Record<string, string>, ...args: string[]) => start('node', ['dist/cli.js', ...args], environment);

  /** Waits for a start-up that must fail; returns its exit code and its output lines. */
  async function failure(run: Run): Promise<{ code: number | null; lines: string[] }> {
    const code = await run.exited;
    return { code, lines: run.output().trim().split('\n') };
  }

  it('says in one line that the port is taken, and exits non-zero', async () => {
    const port = await freePort();
    const taken = await occupy(port);
    try {
      const { code, lines } = await failure(cli({ PORT: String(port) }));
      expect(code).toBe(1);
      expect(lines).toEqual([`image-gateway: port ${port} on 127.0.0.1 is already in use; stop what uses it or set PORT to another port.`]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('says in one line what PORT must be', async () => {
    const { code, lines } = await failure(cli({ PORT: 'abc' }));
    expect(code).toBe(1);
    expect(lines).toEqual(['image-gateway: PORT must be a whole number from 0 to 65535 (got "abc").']);
  });

  it('says in one line what is wrong with the configuration', async () => {
    const config = join(copy, 'bad-config.json');
    await writeFile(config, JSON.stringify({ queue: { maxWaitMs: -1 } }));
    const bad = await failure(cli({ PORT: '0' }, '--config', config));
    expect(bad.code).toBe(1);
    expect(bad.lines).toHaveLength(1);
    expect(bad.lines[0]).toMatch(/^image-gateway: invalid configuration: .*queue\.maxWaitMs/);
    await writeFile(config, '{ not json');
    const broken = await failure(cli({ PORT: '0' }, '--config', config));
    expect(broken.code).toBe(1);
    expect(broken.lines).toHaveLength(1);
    expect(broken.lines[0]).toMatch(/^image-gateway: the config file .* is not valid JSON/);
    const missing = await failure(cli({ PORT: '0' }, '--config', join(copy, 'nowhere.json')));
    expect(missing.lines).toHaveLength(1);
    expect(missing.lines[0]).toMatch(/^image-gateway: cannot read the config file/);
  });

  it('with auth on, shows the Authorization header in its curl hint (never the key)', async () => {
    const port = await freePort();
    const key = 'sk-cli-hint-key-0123456789';
    const run = cli({ PORT: String(port), HOST: '127.0.0.1', GATEWAY_API_KEYS: key });
    try {
      await waitForOutput(run, /playground: .*\n/, minutes);
      expect(run.output()).toContain(`try: curl -H "Authorization: Bearer $GATEWAY_KEY" http://127.0.0.1:${port}/v1/models`);
      expect(run.output()).toContain(`playground: http://127.0.0.1:${port}/playground   (paste a gateway key into the page)`);
      expect(run.output()).not.toContain(key);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });
});
