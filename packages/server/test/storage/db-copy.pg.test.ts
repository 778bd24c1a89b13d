import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, onTestFinished, test } from 'vitest';
import { connected, waitFor } from '../../../client/test/helpers/sdk.js';
import { COPY_TABLES } from '../../src/db/copy-tables.js';
import { copyDatabase } from '../../src/db/database-copy.js';
import {
  createGroup,
  history,
  openDm,
  person,
  postMessage,
  roomsOf,
  type Person,
} from '../chat/chat-client.js';
import { runCli } from '../helpers/run-cli.js';
import { api, startTestServer, type TestServer } from '../helpers/salon-server.js';
import { freshPgDatabase, openTestBackend } from '../helpers/test-database.js';

/**
 * `salon db copy`, run as operators run it (the real CLI in a child process) for the move and
 * the refusals it prints; the other refusals call the same function in process.
 */

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-copy-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Rows per table in a PostgreSQL database. */
async function pgCounts(url: string): Promise<Record<string, number>> {
  const backend = await openTestBackend('postgres', { url });
  const out: Record<string, number> = {};
  for (const table of COPY_TABLES) {
    const row = await backend.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = row.n;
  }
  await backend.close();
  return out;
}

/** What one person sees: their conversations (with unread counts) and each one's history. */
async function viewOf(server: TestServer, who: Person) {
  const rooms = await roomsOf(server, who);
  const histories = await Promise.all(rooms.map((r) => history(server, who, r.id)));
  const me = await api(server, 'GET', '/api/me', undefined, who.token);
  return { rooms, histories, me: me.body };
}

describe('salon db copy', () => {
  test('moves a SQLite installation to PostgreSQL: same conversations, history, unread counts; nobody signs in again', async () => {
    const dataDir = tempDir();
    const sqliteUrl = `sqlite:${path.join(dataDir, 'salon.db')}`;
    const before = await startTestServer({ dataDir, databaseUrl: sqliteUrl });
    const ana = await person(before, 'Ana');
    const ben = await person(before, 'Ben');
    const cleo = await person(before, 'Cleo');
    const dm = await openDm(before, ana, { phone: ben.phone });
    const group = await createGroup(before, ana, 'Trip', [ben.id, cleo.id]);
    for (let i = 1; i <= 3; i++)
      await postMessage(before, ana, dm.id, `dm ${String(i)}`, `d${String(i)}`);
    await postMessage(before, ben, dm.id, 'dm reply', 'd4');
    for (let i = 1; i <= 5; i++)
      await postMessage(before, i % 2 ? cleo : ben, group.id, `g ${String(i)}`, `g${String(i)}`);
    // Seq 3: the group's "created" event is seq 1, so this reads "g 1" and "g 2".
    await api(before, 'POST', `/api/rooms/${group.id}/read`, { seq: 3 }, ana.token);
    const people = [ana, ben, cleo];
    const views = await Promise.all(people.map((p) => viewOf(before, p)));
    expect(views[0]?.rooms.find((r) => r.id === group.id)?.unread_count).toBe(3);
    await before.close();

    const target = await freshPgDatabase();
    const copy = await runCli(['db', 'copy', '--from', sqliteUrl, '--to', target]);
    // Four DM messages, the group's "created" event and five group messages.
    expect(copy.stderr).toContain('copying messages: 10/10 rows');
    expect(copy.stderr).toMatch(/Copied \d+ rows .* last seq of 2 rooms verified/);
    expect(copy.code).toBe(0);

    // Salon restarts on PostgreSQL with the same data dir (its secret) and the same tokens.
    const after = await startTestServer({ dataDir, databaseUrl: target, port: before.port });
    expect(after.salon.database.kind).toBe('postgres');
    for (const [i, who] of people.entries()) expect(await viewOf(after, who)).toEqual(views[i]);
    const anaClient = await connected(after, {
      token: ana.token,
      phone: ana.phone,
      user: { id: ana.id, phone: ana.phone, name: ana.name },
    });
    await waitFor(() => anaClient.rooms.length === 2);
    expect(anaClient.rooms.map((r) => [r.id, r.unread_count, r.last_seq])).toEqual(
      views[0]?.rooms.map((r) => [r.id, r.unread_count, r.last_seq]),
    );
    // New messages continue each room's seq.
    expect((await postMessage(after, cleo, group.id, 'on postgres', 'pg1')).seq).toBe(7);
    await after.close();

    // A second copy into the now non-empty target is refused and changes nothing.
    const again = await runCli(['db', 'copy', '--from', sqliteUrl, '--to', target]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/target database is not empty/);
    expect((await pgCounts(target)).messages).toBe(11);
  });

  test('a failed copy leaves the target empty, and can be run again', async () => {
    const dataDir = tempDir();
    const sqliteUrl = `sqlite:${path.join(dataDir, 'salon.db')}`;
    const server = await startTestServer({ dataDir, databaseUrl: sqliteUrl });
    const ana = await person(server, 'Ana');
    const room = await createGroup(server, ana, 'Solo', []);
    await postMessage(server, ana, room.id, 'kept', 'k1');
    await server.close();
    // A row PostgreSQL refuses (SQLite ignores declared lengths; client_id is varchar(64)):
    // the copy fails at the last table.
    const raw = new SQLite(path.join(dataDir, 'salon.db'));
    raw
      .prepare(
        "INSERT INTO messages (id, room_id, seq, sender_id, client_id, body, created_at) VALUES ('bad', ?, 3, ?, ?, 'too long', 1)",
      )
      .run(room.id, ana.id, 'x'.repeat(65));
    raw.close();

    const target = await freshPgDatabase();
    await expect(copyDatabase(sqliteUrl, target)).rejects.toThrow(/too long/);
    expect(Object.values(await pgCounts(target))).toEqual(COPY_TABLES.map(() => 0));

    const fix = new SQLite(path.join(dataDir, 'salon.db'));
    fix.prepare("DELETE FROM messages WHERE id = 'bad'").run();
    fix.close();
    // The group's "created" event and the message.
    expect((await copyDatabase(sqliteUrl, target)).rows.messages).toBe(2);
    expect((await pgCounts(target)).messages).toBe(2);
  });

  test('refuses a source that a running Salon is writing to', async () => {
    const dataDir = tempDir();
    const sqliteUrl = `sqlite:${path.join(dataDir, 'salon.db')}`;
    const server = await startTestServer({ dataDir, databaseUrl: sqliteUrl });
    const ana = await person(server, 'Ana');
    await createGroup(server, ana, 'Busy', []);
    const target = await freshPgDatabase();
    await expect(copyDatabase(sqliteUrl, target)).rejects.toThrow(/source database is in use/);
    await server.close();

    // Another writer holding the write lock (the log empty): refused too.
    const writer = new SQLite(path.join(dataDir, 'salon.db'));
    onTestFinished(() => {
      writer.close();
    });
    writer.exec('BEGIN IMMEDIATE');
    await expect(copyDatabase(sqliteUrl, target)).rejects.toThrow(
      /source database is being written to/,
    );
    writer.exec('ROLLBACK');
    expect(Object.values(await pgCounts(target))).toEqual(COPY_TABLES.map(() => 0));
  });

  test('bad usage exits 2 with the usage', async () => {
    const res = await runCli(['db', 'copy', '--from', 'sqlite:/nonexistent.db']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--from and --to are both required');
    await expect(
      copyDatabase('sqlite:/nonexistent/salon.db', 'postgres://postgres@127.0.0.1/none'),
    ).rejects.toThrow(/does not exist/);
    await expect(copyDatabase('postgres://a/b', 'postgres://c/d')).rejects.toThrow(/--from/);
    await expect(copyDatabase('sqlite:/x.db', 'sqlite:/y.db')).rejects.toThrow(/--to/);
  });
});

describe('salon db migrate', () => {
  test('applies the migrations and exits; a second run has nothing to do', async () => {
    const target = await freshPgDatabase();
    const first = await runCli(['db', 'migrate'], { SALON_DATABASE_URL: target });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Applied \d+ migration\(s\): 0001-identity, /);
    const second = await runCli(['db', 'migrate', '--database-url', target]);
    expect(second.stdout).toBe('The database is up to date.\n');
    expect(second.code).toBe(0);
    expect(Object.values(await pgCounts(target))).toEqual(COPY_TABLES.map(() => 0));
  });
});
