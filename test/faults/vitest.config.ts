import { defineConfig } from 'vitest/config';

// Fault runs (`npm run test:faults`): long, one at a time, each printing its accounting line.
// They kill processes and restart a private broker, so they never run with the other tiers.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
