import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, onTestFinished, test } from 'vitest';
import { openSqlite } from '../../src/db/database.js';
import { SqliteCheckpointer } from '../../src/db/sqlite-checkpointer.js';
import { waitFor } from '../helpers/wait-for.js';

const silent = pino({ level: 'silent' });

/** A database whose connection never checkpoints by itself, with ~2 MB of rows in its WAL. */
function databaseWithWal(): { file: string; url: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-ckpt-'));
  const file = path.join(dir, 'salon.db');
  const url = `sqlite:${file}`;
  const db = openSqlite(url, { autoCheckpoint: false });
  onTestFinished(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run('x'.repeat(1000));
  })();
  return { file, url };
}

/**
 * With the writer thread, no commit copies the WAL back into the database file (the commit that
 * did so held up every message behind it): the checkpointer thread does, beside the writer.
 */
describe('SqliteCheckpointer', () => {
  test('copies the WAL back into the database file on its own thread', async () => {
    const { file, url } = databaseWithWal();
    const before = fs.statSync(file).size;
    const checkpointer = new SqliteCheckpointer(url, silent);
    onTestFinished(() => checkpointer.close());
    await waitFor(
      'the rows to reach the database file',
      () => fs.statSync(file).size > before + 1_000_000,
      10_000,
    );
  });

  test('without it, the rows stay in the WAL', async () => {
    const { file } = databaseWithWal();
    const before = fs.statSync(file).size;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(fs.statSync(file).size).toBe(before);
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(1_000_000);
  });
});
