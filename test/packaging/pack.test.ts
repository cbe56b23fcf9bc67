import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCjs, checkCts, checkMjs, checkMts, consumerTsconfig } from './pack-consumer-files.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const minutes = 60_000;
let work: string;
let stage: string;
let consumer: string;
let tarball: string;

const npm = (cwd: string, ...args: string[]) => run('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 4 * minutes });

/**
 * Builds into a staging copy (the repo's own dist/ is left alone, so other
 * suites using it are not disturbed), packs it, and installs the tarball into
 * an empty project the way a user would.
 */
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'image-gateway-pack-'));
  stage = join(work, 'stage');
  consumer = join(work, 'consumer');
  await run('mkdir', ['-p', stage, consumer]);
  for (const file of ['package.json', 'README.md', 'LICENSE']) {
    if (existsSync(join(root, file))) await copyFile(join(root, file), join(stage, file));
  }
  await run(join(root, 'node_modules/.bin/tsup'), ['--out-dir', join(stage, 'dist')], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 4 * minutes,
  });
  const { stdout } = await npm(stage, 'pack', '--ignore-scripts', '--pack-destination', work);
  tarball = join(work, stdout.trim().split('\n').at(-1)!);
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  await npm(consumer, 'install', '--no-audit', '--no-fund', '--prefer-offline', tarball);
}, 10 * minutes);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('ships the built subpaths, declarations and CLI, and no sources or maps', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n');
    for (const name of ['index', 'express', 'koa', 'next', 'hono', 'node']) {
      expect(files).toEqual(
        expect.arrayContaining([
          `package/dist/${name}.js`,
          `package/dist/${name}.cjs`,
          `package/dist/${name}.d.ts`,
          `package/dist/${name}.d.cts`,
        ]),
      );
    }
    expect(files).toContain('package/dist/cli.js');
    // One Node path, the gateway's own: no third-party converter is bundled (nor its licence shipped).
    expect(files.filter((file) => file.startsWith('package/dist/licenses/'))).toEqual([]);
    const dist = join(consumer, 'node_modules/image-gateway/dist');
    const bundled = readdirSync(dist).filter(
      (file) => /\.c?js$/.test(file) && readFileSync(join(dist, file), 'utf8').includes('getRequestListener'),
    );
    expect(bundled).toEqual([]);
    expect(files.filter((file) => /^package\/(src|test|adapters|examples)\//.test(file) || file.endsWith('.map'))).toEqual([]);
  });

  it('installs no web framework', () => {
    for (const framework of ['express', 'koa', 'hono', 'next', 'react']) {
      expect(existsSync(join(consumer, 'node_modules', framework)), `${framework} should not be installed`).toBe(false);
    }
    expect(existsSync(join(consumer, 'node_modules/sharp'))).toBe(true);
  });

  describe('with hono, typescript and @types/node added by the user', () => {
    beforeAll(async () => {
      await npm(
        consumer,
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        'hono@^4.0.0',
        'typescript@^5.9.0',
        '@types/node@^20.19.0',
      );
      await writeFile(join(consumer, 'check.mjs'), checkMjs);
      await writeFile(join(consumer, 'check.cjs'), checkCjs);
      await writeFile(join(consumer, 'check-types.mts'), checkMts);
      await writeFile(join(consumer, 'check-types.cts'), checkCts);
      await writeFile(join(consumer, 'tsconfig.json'), consumerTsconfig);
    }, 5 * minutes);

    const expected = {
      exports: ['function', 'function', 'function', 'function', 'function', 'function'],
      express: 'function',
      koa: 'function',
      hono: 200,
      next: 200,
      node: 'function',
      jpeg: true,
    };

    it(
      'imports every subpath as ESM and serves a request',
      async () => {
        const { stdout } = await run('node', ['check.mjs'], { cwd: consumer, timeout: minutes });
        expect(JSON.parse(stdout)).toEqual(expected);
      },
      minutes,
    );

    it(
      'requires every subpath as CommonJS and serves a request',
      async () => {
        const { stdout } = await run('node', ['check.cjs'], { cwd: consumer, timeout: minutes });
        expect(JSON.parse(stdout)).toEqual(expected);
      },
      minutes,
    );

    it(
      'type-checks every subpath under tsc --strict, for import and require',
      async () => {
        const result = await run(join(consumer, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], {
          cwd: consumer,
          timeout: 2 * minutes,
        }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
        expect(result.stdout).toBe('');
      },
      3 * minutes,
    );
  });

  it(
    'installs a working image-gateway command',
    async () => {
      const bin = join(consumer, 'node_modules/.bin/image-gateway');
      const help = await run(bin, ['--help'], { cwd: consumer });
      expect(help.stdout).toContain('Usage: image-gateway');
      const port = await freePort();
      const child = spawn(bin, [], {
        cwd: consumer,
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        await new Promise<void>((resolve, reject) => {
          let output = '';
          child.stdout.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes('listening on')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`image-gateway exited with ${code} before listening: ${output}`)));
        });
        const models = await fetch(`http://127.0.0.1:${port}/v1/models`);
        expect(models.status).toBe(200);
        expect(JSON.stringify(await models.json())).toContain('local-image');
      } finally {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
    minutes,
  );

  it(
    'passes publint with no messages',
    async () => {
      const bytes = await readFile(tarball);
      const { messages } = await publint({
        pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer },
        strict: true,
      });
      expect(messages).toEqual([]);
    },
    minutes,
  );
});

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
