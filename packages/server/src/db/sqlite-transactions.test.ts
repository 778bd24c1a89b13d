import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, sqliteKysely } from './database.js';

describe('SQLite transactions beside another writer', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a transaction that reads, then writes, commits even when another connection tried to write in between', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-tx-'));
    dirs.push(dir);
    const url = `sqlite:${path.join(dir, 'salon.db')}`;
    const db = sqliteKysely<Record<string, never>>(openSqlite(url));
    // The other writer (as the message writer thread is): its own connection, no waiting.
    const other = new SQLite(path.join(dir, 'salon.db'));
    other.pragma('busy_timeout = 0');
    try {
      await sql`create table counters (name text primary key, n integer not null)`.execute(db);
      await sql`insert into counters values ('a', 0), ('b', 0)`.execute(db);
      let otherRefused = false;
      await db.transaction().execute(async (trx) => {
        await sql`select n from counters where name = 'a'`.execute(trx);
        // A deferred transaction holds only a read snapshot here: the other connection's write
        // would commit, and this transaction's write below would fail with SQLITE_BUSY.
        try {
          other.prepare(`update counters set n = n + 1 where name = 'b'`).run();
        } catch (err) {
          otherRefused = (err as { code?: string }).code === 'SQLITE_BUSY';
        }
        await sql`update counters set n = n + 1 where name = 'a'`.execute(trx);
      });
      expect(otherRefused).toBe(true);
      const rows = other.prepare('select name, n from counters order by name').all();
      expect(rows).toEqual([
        { name: 'a', n: 1 },
        { name: 'b', n: 0 },
      ]);
    } finally {
      other.close();
      await db.destroy();
    }
  });
});
