import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default for `run` is one fork fewer than the cores: one fork on the 2-core CI machine,
    // where most test time is waiting on sockets, child processes and timers. Two forks keep CI within its budget.
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
    reporters: ['default', 'json'],
    outputFile: { json: '.tmp/vitest-results.json' },
  },
});
