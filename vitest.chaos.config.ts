import { defineConfig } from 'vitest/config';

/** `npm run chaos`: the fault-injection suite (test/chaos/*.chaos.test.ts), kept out of `npm test`. */
export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    include: ['test/chaos/**/*.chaos.test.ts'],
    fileParallelism: false,
    testTimeout: 420_000,
    hookTimeout: 120_000,
  },
});
