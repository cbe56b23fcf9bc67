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
export default defineConfig({
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
});
