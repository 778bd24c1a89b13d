import fs from 'node:fs';
import type { TestProject } from 'vitest/node';
import { PG_ADMIN_URL, adminQuery } from './test-database.js';

/**
 * Before the PostgreSQL projects: checks that the server answers (stopping the run with the
 * command that starts it when it does not: never a silent skip), and gives this run a database
 * name prefix; afterwards, drops whatever databases of this run a crashed test left behind.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    await adminQuery('SELECT 1');
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new Error(
      `PostgreSQL is not reachable at ${redact(PG_ADMIN_URL)} (${detail}); the PostgreSQL test ` +
        `projects need it. Start it with:\n\n  ${startCommand()}\n\n` +
        '(or run only the SQLite suites: SALON_TEST_DB=sqlite npm test)',
      { cause: err },
    );
  }
  const prefix = `salon_test_${String(process.pid)}_${Date.now().toString(36)}`;
  project.provide('pgRunPrefix', prefix);
  return async () => {
    const left = await adminQuery(
      `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}\\_%'`,
    );
    for (const row of left.rows as { datname: string }[]) {
      await adminQuery(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    }
  };
}

/** This machine's command to start its PostgreSQL cluster (what .ci/services.sh runs). */
function startCommand(): string {
  let versions: string[] = [];
  try {
    versions = fs.readdirSync('/etc/postgresql');
  } catch {
    // Not a Debian-style install: the generic command below still says what to do.
  }
  const version = versions[0];
  return version === undefined
    ? 'bash .ci/services.sh'
    : `pg_ctlcluster --skip-systemctl-redirect ${version} main start`;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
