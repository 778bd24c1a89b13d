import { configDefaults, defineConfig } from 'vitest/config';

const E2E = 'packages/web/test/e2e/**/*.test.ts';

// One run covers every package: unit tests beside the code, integration tests under test/, and
// the web app's browser tests, which run last and one file at a time (each drives a Chromium with
// two or three people against its own server, which is as much as two cores take without flaking).
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'packages',
          sequence: { groupOrder: 0 },
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, E2E],
        },
      },
      {
        extends: true,
        test: {
          name: 'web-e2e',
          include: [E2E],
          // Finds or installs Chromium and builds packages/web/dist, once, before any file.
          globalSetup: ['packages/web/test/e2e/helpers/global-setup.ts'],
          fileParallelism: false,
          // After the other packages' tests: their timing-sensitive tests do not share the two
          // cores with a browser, and the browsers do not share them with those tests.
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
        },
      },
    ],
  },
});
