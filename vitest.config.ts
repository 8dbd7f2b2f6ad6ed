import { defineConfig } from 'vitest/config';

// Tests import the TypeScript sources directly, but every worker thread is started from the
// compiled files in dist/ (Node 20 cannot start a worker from a .ts file): `npm test` builds first.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: concurrency tests start their own worker threads, so test files run one at a time.
    fileParallelism: false,
  },
});
