import type SQLite from 'better-sqlite3';
import { Kysely } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'pino';
import { KyselyMessageStore, type MessageStore } from '../chat/message.store.js';
import { WorkerMessageStore } from '../chat/worker-message-store.js';
import {
  databaseKind,
  migrate,
  openSqlite,
  postgresDialect,
  sqliteKysely,
  type Db,
} from './database.js';
import type { Database } from './schema.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';

export interface BackendOptions {
  /** `sqlite:<file>` or `postgres://user:pass@host:port/db`. */
  url: string;
  /** PostgreSQL: most connections in the pool. */
  poolSize: number;
  /** SQLite: store messages on a writer thread or on the main thread. */
  messageWriter: 'thread' | 'main';
  log: Logger;
  /** Apply pending migrations before answering (default true). */
  migrate?: boolean;
}

interface BackendCommon {
  /** Kysely over the database: every dialect-neutral query goes through it. */
  readonly db: Db;
  /** Where the message job stores batches: the store this database writes fastest with. */
  readonly messageStore: MessageStore;
  /** Closes the message store, then the database (the pool, or the SQLite connection). */
  close(): Promise<void>;
}

export interface SqliteBackend extends BackendCommon {
  readonly kind: 'sqlite';
  /** The main-thread better-sqlite3 connection Kysely uses (for libraries that need one). */
  readonly sqlite: SQLite.Database;
}

export interface PostgresBackend extends BackendCommon {
  readonly kind: 'postgres';
  /** The `pg` pool Kysely and the message store use (for libraries that need one). */
  readonly pool: pg.Pool;
}

/**
 * The database Salon runs on, chosen once at start from the URL, as Kysely picks a Dialect. No
 * feature asks which database it is on: what differs lives behind this (dialect, pool, message
 * store), and a library that needs the raw handle switches on `kind`.
 */
export type DatabaseBackend = SqliteBackend | PostgresBackend;

export async function openBackend(options: BackendOptions): Promise<DatabaseBackend> {
  const backend =
    databaseKind(options.url) === 'sqlite'
      ? openSqliteBackend(options)
      : await openPostgres(options);
  try {
    if (backend.kind === 'postgres') await probe(backend.pool, options.url);
    if (options.migrate !== false) await migrate(backend.db);
  } catch (err) {
    await backend.close();
    throw err;
  }
  return backend;
}

/** Fails with a sentence naming the server (not its password) when PostgreSQL cannot be reached. */
async function probe(pool: pg.Pool, url: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    const where = new URL(url);
    where.password = '';
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot connect to PostgreSQL at ${where.toString()}: ${reason}`, {
      cause: err,
    });
  }
}

function openSqliteBackend(options: BackendOptions): SqliteBackend {
  // With the writer thread, a checkpointer thread copies the WAL back, and no commit does.
  const thread = options.messageWriter === 'thread';
  const sqlite = openSqlite(options.url, { autoCheckpoint: !thread });
  const db = sqliteKysely(sqlite);
  if (!thread) {
    const messageStore = new KyselyMessageStore(db);
    return { kind: 'sqlite', db, sqlite, messageStore, close: closer(db, messageStore) };
  }
  const checkpointer = new SqliteCheckpointer(options.url, options.log.child({ part: 'wal' }));
  const messageStore = new WorkerMessageStore(
    options.url,
    options.log.child({ part: 'message-writer' }),
    { autoCheckpoint: false },
  );
  const close = closer(db, messageStore);
  return {
    kind: 'sqlite',
    db,
    sqlite,
    messageStore,
    // The checkpointer goes first: the connection that closes last copies the WAL back in full.
    close: async () => {
      await checkpointer.close();
      await close();
    },
  };
}

async function openPostgres(options: BackendOptions): Promise<PostgresBackend> {
  // Loaded on this path only: a SQLite server never loads the pg driver.
  const [{ createPostgresPool }, { PostgresMessageStore }] = await Promise.all([
    import('./postgres-pool.js'),
    import('../chat/postgres-message-store.js'),
  ]);
  const pool = createPostgresPool(options.url, {
    max: options.poolSize,
    log: options.log.child({ part: 'postgres' }),
  });
  const db = new Kysely<Database>({ dialect: postgresDialect(pool) });
  const messageStore = new PostgresMessageStore(pool);
  return { kind: 'postgres', db, pool, messageStore, close: closer(db, messageStore) };
}

function closer(db: Db, store: MessageStore): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () =>
    (closing ??= (async () => {
      await store.close?.();
      // Ends the pg pool or closes the SQLite connection.
      await db.destroy();
    })());
}
