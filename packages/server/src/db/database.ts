import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { ConfigError } from '../config.js';
import { ensurePrivateDir, ensurePrivateFile, narrowIfPresent } from '../private-files.js';
import { migrationProvider } from './migrations/index.js';
import { withStatementCache } from './statement-cache.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

/** Opens the database named by `url` and applies pending migrations. */
export async function openDatabase(url: string): Promise<Db> {
  const db = connectDatabase(url);
  try {
    await migrate(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

/** Opens the database without migrating (for a second connection, e.g. the message writer thread). */
export function connectDatabase(url: string): Db {
  if (url.startsWith('sqlite:')) {
    return new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(openSqlite(url)) }),
    });
  }
  throw new ConfigError('SALON_DATABASE_URL', 'PostgreSQL is not supported yet; use sqlite:<file>');
}

/** A better-sqlite3 connection to a `sqlite:<file>` URL, with Salon's pragmas. */
export function openSqlite(url: string): SQLite.Database {
  const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (file === '') throw new ConfigError('SALON_DATABASE_URL', 'sqlite: needs a file path');
  if (file !== ':memory:') {
    ensurePrivateDir(path.dirname(path.resolve(file)));
    // SQLite gives the -wal and -shm files it makes the database file's own mode.
    ensurePrivateFile(file);
    for (const extra of ['-wal', '-shm']) narrowIfPresent(file + extra, 0o600);
  }
  const sqlite = new SQLite(file);
  // WAL lets readers run beside the writer; FULL makes every commit durable before it is
  // acknowledged (Salon never acknowledges what a power cut could lose).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
}
