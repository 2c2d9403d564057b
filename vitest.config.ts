import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], environment: 'node', testTimeout: 30_000 },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // One browser or Electron app at a time on a 2-core machine.
          fileParallelism: false,
          // A browser test that fails once is run once more (as Playwright's own runner does on CI):
          // a rare stall in Chromium must not throw away a run. A test that fails twice fails.
          retry: 1,
        },
      },
    ],
  },
});
