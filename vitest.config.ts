import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Wide: CI machines are shared and may be loaded; a test bounded by the clock is a defect (bound it by work).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: a few workers keep browser and HTTP tests from starving each other.
    maxWorkers: 2,
    // One throwaway PostgreSQL server for the run (skipped with a message when not installed; required under CI=true).
    globalSetup: ['test/support/postgres-global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'all', include: ['test/**/*.test.ts'] } },
      {
        // The standard endpoints must behave the same with every migration profile on (issue 3).
        extends: true,
        test: {
          name: 'core with all profiles on',
          include: ['test/flows/authorization-code.test.ts', 'test/flows/token-errors.test.ts', 'test/flows/authorize-errors.test.ts', 'test/flows/token-bodies.test.ts'],
          env: { LATCHKEY_TEST_ALL_PROFILES: '1' },
        },
      },
    ],
  },
});
