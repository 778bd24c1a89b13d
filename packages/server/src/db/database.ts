import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import type pg from 'pg';
import { ConfigError } from '../config-error.js';
import { migrationProvider } from './migrations/index.js';
import { runsOnSqlite } from './prepared-query.js';
import { openSqlite, sqliteFile } from './sqlite-file.js';
import { withStatementCache } from './statement-cache.js';
import type { Database } from './schema.js';

export { openSqlite, sqliteFile };

export type Db = Kysely<Database>;

export type DatabaseKind = 'sqlite' | 'postgres';

/** Which database a `SALON_DATABASE_URL` names. */
export function databaseKind(url: string): DatabaseKind {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  throw new ConfigError('SALON_DATABASE_URL', 'must start with sqlite: or postgres://');
}

/** Opens the database named by `url` (SQLite) and applies pending migrations. */
export async function openDatabase(url: string): Promise<Db> {
  const db = sqliteKysely(openSqlite(url));
  try {
    await migrate(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

/**
 * SQLite transactions take the write lock when they begin (BEGIN IMMEDIATE). A deferred
 * transaction that reads and then writes cannot become a writer once another connection (the
 * message writer thread) has committed since its read: SQLite answers SQLITE_BUSY at once, without
 * waiting out busy_timeout, and adding members to a group whose events were being stored failed
 * with a 500. Taking the lock first makes it wait its turn instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** Kysely over a better-sqlite3 connection, with compiled statements kept. */
export function sqliteDialect(sqlite: SQLite.Database): SqliteDialect {
  return new ImmediateSqliteDialect({ database: withStatementCache(sqlite) });
}

/** Kysely over a better-sqlite3 connection, whose prepared queries run on it directly. */
export function sqliteKysely<T = Database>(sqlite: SQLite.Database): Kysely<T> {
  const db = new Kysely<T>({ dialect: sqliteDialect(sqlite) });
  runsOnSqlite(db, sqlite);
  return db;
}

/** Kysely over a `pg` pool (whose type parsers make int8 a number: see postgres-pool.ts). */
export function postgresDialect(pool: pg.Pool): PostgresDialect {
  return new PostgresDialect({ pool });
}

/** Applies every pending migration; the same history serves both databases. */
export async function migrate<T>(db: Kysely<T>): Promise<string[]> {
  // Unordered: migrations written on branches at the same time (0003 and 0004) may land in
  // either order; each still runs once.
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
  return (results ?? []).map((r) => r.migrationName);
}
