import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    // bench and chaos suites run on their own (npm run bench), not in `npm test`
    exclude: ['**/node_modules/**', 'prisma/generated/**', '**/*.chaos.test.ts', 'bench/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
