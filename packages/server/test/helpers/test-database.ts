import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { inject, onTestFinished } from 'vitest';
import { openBackend, type DatabaseBackend } from '../../src/db/database-backend.js';

/**
 * Which database this test run uses: vitest's projects set SALON_TEST_DB (see vitest.config.ts),
 * so the same suites run once on SQLite and once on PostgreSQL.
 */
export type TestDbKind = 'sqlite' | 'postgres';
export const TEST_DB: TestDbKind = process.env.SALON_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

/** The PostgreSQL server tests use (trust auth on this machine), as an admin URL. */
export const PG_ADMIN_URL =
  process.env.SALON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Prefix of every database this run creates; the run's teardown drops what is left. */
    pgRunPrefix: string;
  }
}

let counter = 0;

/** Runs `statement` on the admin database with a short-lived connection. */
export async function adminQuery(statement: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The URL of a database on the same server as the admin one. */
export function pgUrl(database: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A fresh, empty PostgreSQL database (`salon_test_…`), dropped when the test finishes (after the
 * servers the test started have closed: teardown runs in reverse order of registration).
 */
export async function freshPgDatabase(): Promise<string> {
  // Undefined outside a PostgreSQL project (a file run on its own with SALON_TEST_DB unset).
  const prefix = (inject('pgRunPrefix') as string | undefined) ?? 'salon_test_adhoc';
  const name = `${prefix}_${String(process.pid)}_${String(++counter)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  onTestFinished(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  return pgUrl(name);
}

/**
 * A migrated database of this run's kind, closed (and dropped, on PostgreSQL) after the test:
 * SQLite in a temp dir, or a fresh PostgreSQL database.
 */
export async function openTestBackend(
  kind: TestDbKind = TEST_DB,
  options: { poolSize?: number; url?: string } = {},
): Promise<DatabaseBackend> {
  let url = options.url;
  if (url === undefined) {
    if (kind === 'postgres') url = await freshPgDatabase();
    else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-db-'));
      onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
      url = `sqlite:${path.join(dir, 'salon.db')}`;
    }
  }
  const backend = await openBackend({
    url,
    poolSize: options.poolSize ?? 4,
    messageWriter: 'main',
    log: pino({ level: 'silent' }),
  });
  onTestFinished(() => backend.close());
  return backend;
}
