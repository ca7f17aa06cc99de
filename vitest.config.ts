import { defineConfig } from 'vitest/config';

// Two tiers told apart by file name: *.test.ts are fast and need nothing running;
// *.int.test.ts talk to the real Kafka broker, RabbitMQ and loopback HTTP servers.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**', 'dist/**'],
          testTimeout: 20_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'int',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', 'dist/**', 'test/faults/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // The broker is shared; a few files at once keeps the 2-core machine responsive.
          maxWorkers: 2,
          fileParallelism: true,
          // Unit files run before integration files when both are selected.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
