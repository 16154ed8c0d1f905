import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Training tests run real (small) models on WASM; a file's tests share one tfjs instance.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // One worker per core: each is its own tfjs/WASM instance.
    pool: 'forks',
    maxWorkers: 2,
  },
});
