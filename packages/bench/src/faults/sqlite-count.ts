import SQLite from 'better-sqlite3';
import { STORED_ROWS_SQL, type StoredRow } from './tally.js';

/** Reads a stopped node's SQLite file: its integrity check and the room's stored messages. */
export function readSqlite(file: string, roomId: string): { integrity: string; rows: StoredRow[] } {
  const db = new SQLite(file, { fileMustExist: true });
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const rows = db.prepare(STORED_ROWS_SQL).all(roomId) as StoredRow[];
    return { integrity, rows };
  } finally {
    db.close();
  }
}
