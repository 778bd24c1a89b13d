import path from 'node:path';
import SQLite from 'better-sqlite3';
import { ConfigError } from '../config-error.js';
import { ensurePrivateDir, ensurePrivateFile, narrowIfPresent } from '../private-files.js';

/*
 * Opening an SQLite database file, apart from the rest of the database layer: the message writer
 * thread loads only this (its start-up delays the first message after a start).
 */

/**
 * A better-sqlite3 connection to a `sqlite:<file>` URL, with Salon's pragmas. `autoCheckpoint:
 * false` where a checkpointer thread copies the WAL back instead (db/sqlite-checkpointer.ts).
 */
export function openSqlite(url: string, opts: { autoCheckpoint?: boolean } = {}): SQLite.Database {
  const file = sqliteFile(url);
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
  if (opts.autoCheckpoint === false) sqlite.pragma('wal_autocheckpoint = 0');
  return sqlite;
}

/** The file a `sqlite:<file>` URL names (`sqlite:///abs/path` and `sqlite:rel/path` both work). */
export function sqliteFile(url: string): string {
  const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (file === '') throw new ConfigError('SALON_DATABASE_URL', 'sqlite: needs a file path');
  return file;
}
