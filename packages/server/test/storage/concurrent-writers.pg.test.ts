import pg from 'pg';
import { describe, expect, onTestFinished, test } from 'vitest';
import type { MessageRequest, WriteResult } from '../../src/chat/message.store.js';
import { PostgresMessageStore } from '../../src/chat/postgres-message-store.js';
import type { PostgresBackend } from '../../src/db/database-backend.js';
import { createPostgresPool } from '../../src/db/postgres-pool.js';
import { seedGroupRooms } from '../helpers/seed-rooms.js';
import { waitFor } from '../helpers/wait-for.js';
import { freshPgDatabase, openTestBackend } from '../helpers/test-database.js';

/**
 * Several writers on one PostgreSQL database, as the nodes of a cluster are: each has its own
 * pool (its own connections, its own group commit), all write to the same rooms at once.
 */

const ROOMS = ['r1', 'r2', 'r3', 'r4'];
const USERS = ['ann', 'bob'];

async function setup(): Promise<{ backend: PostgresBackend; writers: () => PostgresMessageStore }> {
  const url = await freshPgDatabase();
  const backend = await openTestBackend('postgres', { url });
  if (backend.kind !== 'postgres') throw new Error('expected PostgreSQL');
  await seedGroupRooms(backend.db, ROOMS, USERS);
  /** A new writer: a store on a pool of its own (a node of its own). */
  const writers = () => {
    const pool = createPostgresPool(url, { max: 2 });
    onTestFinished(() => pool.end());
    return new PostgresMessageStore(pool);
  };
  return { backend, writers };
}

let n = 0;
function req(roomId: string, senderId = 'ann', clientId = `c${String(++n)}`): MessageRequest {
  return {
    requestId: `q${String(++n)}`,
    roomId,
    senderId,
    clientId,
    body: `b ${clientId}`,
    replyTo: null,
  };
}

async function seqsByRoom(backend: PostgresBackend): Promise<Map<string, number[]>> {
  const rows = await backend.db
    .selectFrom('messages')
    .select(['room_id', 'seq'])
    .orderBy('room_id')
    .orderBy('seq')
    .execute();
  const out = new Map<string, number[]>();
  for (const r of rows) out.set(r.room_id, [...(out.get(r.room_id) ?? []), r.seq]);
  return out;
}

function stored(results: WriteResult[]) {
  return results.map((r) => {
    if (!r.ok) throw new Error(`not stored: ${r.code} ${r.reason}`);
    return r;
  });
}

describe('several PostgreSQL writers on the same rooms', () => {
  test('batches touching the rooms in opposite orders never deadlock; seq stays gapless', async () => {
    const { backend, writers } = await setup();
    const forward = writers();
    const backward = writers();
    const mixed = writers();
    const batch = (order: string[], size: number) =>
      Array.from({ length: size }, (_, i) => req(order[i % order.length] ?? 'r1', USERS[i % 2]));
    const run = async (store: PostgresMessageStore, order: string[]) => {
      const results: WriteResult[] = [];
      for (let i = 0; i < 25; i++) results.push(...(await store.writeBatch(batch(order, 12))));
      return results;
    };
    const all = await Promise.all([
      run(forward, ROOMS),
      run(backward, [...ROOMS].reverse()),
      run(mixed, ['r3', 'r1', 'r4', 'r2']),
    ]);
    const results = stored(all.flat());
    expect(results).toHaveLength(3 * 25 * 12);

    const seqs = await seqsByRoom(backend);
    const lastSeqs = await backend.db.selectFrom('rooms').select(['id', 'last_seq']).execute();
    for (const { id, last_seq } of lastSeqs) {
      const list = seqs.get(id) ?? [];
      expect(list, id).toEqual(Array.from({ length: list.length }, (_, i) => i + 1));
      expect(last_seq, id).toBe(list.length);
    }
    // Each writer's own messages in one room keep the order it sent them in.
    for (const writerResults of all) {
      const perRoom = new Map<string, number[]>();
      for (const r of stored(writerResults))
        perRoom.set(r.message.room_id, [...(perRoom.get(r.message.room_id) ?? []), r.message.seq]);
      for (const list of perRoom.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
    }
  });

  test('one client_id sent through two writers at once is stored once; both senders get it', async () => {
    const { backend, writers } = await setup();
    const a = writers();
    const b = writers();
    for (let i = 0; i < 20; i++) {
      const clientId = `race-${String(i)}`;
      // Each batch also carries messages of its own: the conflict must not fail them.
      const [ra, rb] = await Promise.all([
        a.writeBatch([req('r1', 'ann'), req('r2', 'ann', clientId), req('r3', 'bob')]),
        b.writeBatch([req('r4', 'bob'), req('r2', 'ann', clientId), req('r1', 'bob')]),
      ]);
      const [a1, aRace, a3] = stored(ra);
      const [b1, bRace, b3] = stored(rb);
      expect(aRace?.message.id).toBe(bRace?.message.id);
      expect([aRace?.duplicate, bRace?.duplicate].sort()).toEqual([false, true]);
      for (const r of [a1, a3, b1, b3]) expect(r?.duplicate).toBe(false);
    }
    const races = await backend.db
      .selectFrom('messages')
      .select(['client_id'])
      .where('client_id', 'like', 'race-%')
      .execute();
    expect(races).toHaveLength(20);
    const seqs = await seqsByRoom(backend);
    for (const list of seqs.values())
      expect(list).toEqual(Array.from({ length: list.length }, (_, i) => i + 1));
  });

  test('a connection killed mid-batch answers STORE_UNAVAILABLE and stores none of the batch', async () => {
    const { backend, writers } = await setup();
    const store = writers();
    // Another session holds Ann's membership row in r2: the batch stops at its last statement
    // (moving Ann's read mark), after its rows were inserted and its rooms' last_seq bumped.
    const blocker = new pg.Client({ connectionString: backendUrl(backend) });
    await blocker.connect();
    onTestFinished(() => blocker.end());
    await blocker.query('BEGIN');
    await blocker.query(
      "SELECT 1 FROM memberships WHERE room_id = 'r2' AND user_id = 'ann' FOR UPDATE",
    );
    // A third session watches (pg_stat_activity stays frozen within the blocker's transaction).
    const watcher = new pg.Client({ connectionString: backendUrl(backend) });
    await watcher.connect();
    onTestFinished(() => watcher.end());
    const pending = store.writeBatch([req('r1', 'bob'), req('r2', 'ann'), req('r2', 'bob')]);
    const blocked = await waitFor('the batch to wait on the lock', async () => {
      const res = await watcher.query<{ pid: number; query: string }>(
        "SELECT pid, query FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
      );
      return res.rows[0];
    });
    expect(blocked.query).toContain('INSERT INTO messages');
    await watcher.query('SELECT pg_terminate_backend($1)', [blocked.pid]);

    const results = await pending;
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'STORE_UNAVAILABLE',
      'STORE_UNAVAILABLE',
      'STORE_UNAVAILABLE',
    ]);
    await blocker.query('ROLLBACK');
    expect(await seqsByRoom(backend)).toEqual(new Map());
    const rooms = await backend.db.selectFrom('rooms').select('last_seq').execute();
    expect(rooms.every((r) => r.last_seq === 0)).toBe(true);

    // The pool dropped the dead connection: the retry is stored, numbered from 1.
    const retry = stored(await store.writeBatch([req('r2', 'ann')]));
    expect(retry[0]?.message.seq).toBe(1);
  });

  test('an unreachable database answers STORE_UNAVAILABLE at once', async () => {
    const pool = createPostgresPool('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    onTestFinished(() => pool.end());
    const results = await new PostgresMessageStore(pool).writeBatch([req('r1')]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['STORE_UNAVAILABLE']);
  });
});

function backendUrl(backend: PostgresBackend): string {
  const options = backend.pool.options as { connectionString?: string };
  if (options.connectionString === undefined) throw new Error('no connection string');
  return options.connectionString;
}
