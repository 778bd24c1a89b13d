import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const E2E = 'packages/web/test/e2e/**/*.test.ts';
/** Tests about PostgreSQL itself (several writers, `salon db copy`): the PostgreSQL run only. */
const PG_ONLY = 'packages/*/test/**/*.pg.test.ts';
/** Several real Salon processes on PostgreSQL and Redis (and nginx): the cluster project only. */
const CLUSTER = 'packages/server/test/cluster/**/*.cluster.test.ts';
/** The suites that run on both databases: storage, chat, cable, SDK. */
const BOTH = [
  'packages/server/test/message-store.test.ts',
  'packages/server/test/auth.test.ts',
  'packages/server/test/chat/**/*.test.ts',
  'packages/server/test/cable/**/*.test.ts',
  'packages/client/test/**/*.test.ts',
];

// SALON_TEST_DB=sqlite or =postgres narrows a run to one database; unset, both run.
const only = process.env.SALON_TEST_DB;
if (only !== undefined && only !== 'sqlite' && only !== 'postgres') {
  throw new Error(`SALON_TEST_DB must be sqlite or postgres (got ${JSON.stringify(only)})`);
}

const sqlite: TestProjectInlineConfiguration[] = [
  {
    extends: true,
    test: {
      name: 'packages',
      env: { SALON_TEST_DB: 'sqlite' },
      sequence: { groupOrder: 0 },
      include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
      exclude: [...configDefaults.exclude, E2E, PG_ONLY, CLUSTER],
    },
  },
  {
    extends: true,
    test: {
      name: 'web-e2e',
      env: { SALON_TEST_DB: 'sqlite' },
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
];

const postgres: TestProjectInlineConfiguration[] = [
  {
    extends: true,
    test: {
      name: 'postgres',
      env: { SALON_TEST_DB: 'postgres' },
      // Beside the SQLite run: each test has its own database, so the two never meet.
      sequence: { groupOrder: 0 },
      include: [...BOTH, PG_ONLY],
      // Stops the run, with the command that starts PostgreSQL, when it is not reachable.
      globalSetup: ['packages/server/test/helpers/postgres-global-setup.ts'],
    },
  },
  {
    extends: true,
    test: {
      name: 'cluster',
      env: { SALON_TEST_DB: 'postgres' },
      include: [CLUSTER],
      // PostgreSQL reachable; Chromium there and packages/web/dist built (the nginx tests); the
      // server compiled into packages/server/dist (the nodes run it, as `npm start` does).
      globalSetup: [
        'packages/server/test/helpers/postgres-global-setup.ts',
        'packages/web/test/e2e/helpers/global-setup.ts',
        'packages/server/test/helpers/build-server-global-setup.ts',
      ],
      // Each file starts several Salon processes (and some a browser): one file at a time, after
      // everything else, so that they share the two cores with nothing.
      fileParallelism: false,
      sequence: { groupOrder: 2 },
      testTimeout: 90_000,
      hookTimeout: 90_000,
    },
  },
];

// One run covers every package: unit tests beside the code, integration tests under test/ (the
// storage, chat, cable and SDK suites once on SQLite and once on PostgreSQL), and the web app's
// browser tests, which run last and one file at a time (each drives a Chromium with two or three
// people against its own server, which is as much as two cores take without flaking).
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [...(only === 'postgres' ? [] : sqlite), ...(only === 'sqlite' ? [] : postgres)],
  },
});
