import { defineConfig } from 'tsup';

// ESM and CommonJS side by side, each with its own declarations, so `import`
// and `require()` both work on every Node this package supports.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    express: 'adapters/express.ts',
    koa: 'adapters/koa.ts',
    next: 'adapters/next.ts',
    hono: 'adapters/hono.ts',
    node: 'adapters/node.ts',
    cli: 'src/cli.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: ['src/index.ts', 'adapters/express.ts', 'adapters/koa.ts', 'adapters/next.ts', 'adapters/hono.ts', 'adapters/node.ts'] },
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  clean: true,
  shims: false,
});
