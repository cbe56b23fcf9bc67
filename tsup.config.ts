import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { defineConfig } from 'tsup';

const entries = {
  index: 'src/index.ts',
  express: 'adapters/express.ts',
  koa: 'adapters/koa.ts',
  next: 'adapters/next.ts',
  hono: 'adapters/hono.ts',
  node: 'adapters/node.ts',
};

// ESM and CommonJS side by side, each with its own declarations, so `import`
// and `require()` both work on every Node this package supports.
export default defineConfig((cliOptions) => ({
  entry: { ...entries, cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  // Named entries put each declaration file beside its module (dist/express.d.ts, dist/express.d.cts).
  dts: { entry: entries },
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  clean: true,
  shims: false,
  // @hono/node-server is bundled rather than depended on: as a dependency its
  // required peer `hono` would be installed into every user's project, and
  // installing this package must pull no web framework. Its MIT licence ships with it.
  noExternal: ['@hono/node-server'],
  async onSuccess() {
    const licenses = join(cliOptions.outDir ?? 'dist', 'licenses');
    await mkdir(licenses, { recursive: true });
    await copyFile('node_modules/@hono/node-server/LICENSE', join(licenses, 'hono-node-server.LICENSE'));
  },
}));
