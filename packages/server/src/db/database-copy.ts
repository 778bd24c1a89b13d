import fs from 'node:fs';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import pino from 'pino';
import { COPY_TABLES } from './copy-tables.js';
import { openBackend } from './database-backend.js';
import { databaseKind, openDatabase, sqliteFile, type Db } from './database.js';

export interface CopyProgress {
  table: string;
  /** Rows of `table` copied so far. */
  copied: number;
  /** Rows `table` holds in the source. */
  total: number;
}

export interface CopyReport {
  /** Rows copied per table, verified equal in source and target. */
  rows: Record<string, number>;
  /** Rooms whose last `seq` was verified (every room). */
  rooms: number;
}

/** A copy refused or failed; the message says why, for an operator. Nothing was left half-done. */
export class CopyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CopyError';
  }
}

/** Rows per INSERT: 11 columns at most, well under PostgreSQL's 65,535 parameters. */
const CHUNK = 1000;

/**
 * Moves a whole SQLite installation into an empty PostgreSQL database (`salon db copy`).
 *
 * - The source is read inside one write transaction (BEGIN IMMEDIATE): nothing can write to it
 *   while it is copied, and a source already being written to is refused.
 * - The target is migrated, refused unless every table is empty, and written in one
 *   transaction: a failed copy leaves it empty, ready to run again.
 * - Before committing, row counts of every table and each room's last `seq` are compared.
 */
export async function copyDatabase(
  from: string,
  to: string,
  onProgress: (p: CopyProgress) => void = () => undefined,
): Promise<CopyReport> {
  if (!from.startsWith('sqlite:')) throw new CopyError('--from must be a sqlite:<file> URL');
  if (databaseKind(to) !== 'postgres')
    throw new CopyError('--to must be a postgres://user:pass@host:port/db URL');
  const file = sqliteFile(from);
  if (file === ':memory:' || !fs.existsSync(file))
    throw new CopyError(`the source database ${file} does not exist`);
  // A running Salon keeps a write-ahead log next to the file; a clean close removes it.
  const wal = `${file}-wal`;
  if (fs.existsSync(wal) && fs.statSync(wal).size > 0) {
    throw new CopyError(
      `the source database is in use (${wal} is not empty): stop Salon first. If it is not ` +
        `running, \`salon db migrate --database-url ${from}\` closes the database cleanly.`,
    );
  }
  // The source gets the migrations `salon start` would apply, so both sides have one schema.
  await (await openDatabase(from)).destroy();

  const source = new SQLite(file, { fileMustExist: true });
  source.pragma('busy_timeout = 1000');
  try {
    try {
      source.exec('BEGIN IMMEDIATE');
    } catch (err) {
      throw new CopyError('the source database is being written to: stop Salon first', {
        cause: err,
      });
    }
    const target = await openBackend({
      url: to,
      poolSize: 2,
      messageWriter: 'main',
      log: pino({ level: 'silent' }),
    });
    try {
      await refuseNonEmpty(target.db);
      return await target.db.transaction().execute(async (trx) => copyAll(source, trx, onProgress));
    } finally {
      await target.close();
    }
  } finally {
    if (source.inTransaction) source.exec('ROLLBACK');
    source.close();
  }
}

async function refuseNonEmpty(db: Db): Promise<void> {
  for (const table of COPY_TABLES) {
    const row = await db
      .selectFrom(table)
      .select(sql<number>`1`.as('one'))
      .limit(1)
      .executeTakeFirst();
    if (row) {
      throw new CopyError(
        `the target database is not empty (table ${table} has rows): copy into a new, empty database`,
      );
    }
  }
}

async function copyAll(
  source: SQLite.Database,
  db: Db,
  onProgress: (p: CopyProgress) => void,
): Promise<CopyReport> {
  const rows: Record<string, number> = {};
  for (const table of COPY_TABLES) {
    const total = countRows(source, table);
    let copied = 0;
    let chunk: Record<string, unknown>[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      // The row shapes are the schema's: both sides ran the same migrations.
      const values: unknown = chunk;
      await db
        .insertInto(table)
        .values(values as never)
        .execute();
      copied += chunk.length;
      chunk = [];
      onProgress({ table, copied, total });
    };
    onProgress({ table, copied, total });
    for (const row of source.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).iterate()) {
      chunk.push(withoutNul(row as Record<string, unknown>));
      if (chunk.length === CHUNK) await flush();
    }
    await flush();
    rows[table] = copied;
  }
  const rooms = await verify(source, db, rows);
  return { rows, rooms };
}

/**
 * PostgreSQL cannot store U+0000 in text, which older versions let into message bodies: it
 * becomes U+FFFD (the replacement character) rather than stop the move.
 */
function withoutNul(row: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'string' && v.includes('\u0000')) row[k] = v.replaceAll('\u0000', '\uFFFD');
  }
  return row;
}

/** Compares row counts and every room's last seq (stored, and of its messages). */
async function verify(
  source: SQLite.Database,
  db: Db,
  copied: Record<string, number>,
): Promise<number> {
  for (const table of COPY_TABLES) {
    const expected = countRows(source, table);
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (row.n !== expected || copied[table] !== expected) {
      throw new CopyError(
        `verification failed: ${table} has ${String(expected)} rows in the source, ${String(row.n)} in the target`,
      );
    }
  }
  const sourceSeqs = lastSeqs(
    source
      .prepare(
        'SELECT r.id, r.last_seq, (SELECT max(seq) FROM messages m WHERE m.room_id = r.id) AS max_seq FROM rooms r',
      )
      .all() as SeqRow[],
  );
  const targetSeqs = lastSeqs(
    await db
      .selectFrom('rooms as r')
      .select((eb) => [
        'r.id',
        'r.last_seq',
        eb
          .selectFrom('messages as m')
          .select((m) => m.fn.max('m.seq').as('s'))
          .whereRef('m.room_id', '=', 'r.id')
          .as('max_seq'),
      ])
      .execute(),
  );
  for (const [id, seqs] of sourceSeqs) {
    if (targetSeqs.get(id) !== seqs) {
      throw new CopyError(
        `verification failed: room ${id} ends at ${seqs} in the source, ${targetSeqs.get(id) ?? 'nothing'} in the target`,
      );
    }
  }
  return sourceSeqs.size;
}

function countRows(source: SQLite.Database, table: string): number {
  return source.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number;
}

interface SeqRow {
  id: string;
  last_seq: number;
  max_seq: number | null;
}

function lastSeqs(rows: readonly SeqRow[]): Map<string, string> {
  return new Map(
    rows.map((r) => [r.id, `seq ${String(r.last_seq)} (messages up to ${String(r.max_seq ?? 0)})`]),
  );
}
